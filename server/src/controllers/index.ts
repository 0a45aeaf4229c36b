import browser from './browser';
import connect from './connect';
import identities from './identities';
import me from './me';
import settings from './settings';
import tokens from './tokens';
import webhook from './webhook';

export default { browser, connect, identities, me, settings, tokens, webhook };
