import browser from './browser';
import connect from './connect';
import settings from './settings';
import webhook from './webhook';

export default { browser, connect, settings, webhook };
