import browser from './browser';
import connect from './connect';
import me from './me';
import settings from './settings';
import webhook from './webhook';

export default { browser, connect, me, settings, webhook };
