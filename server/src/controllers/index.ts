import browser from './browser';
import connect from './connect';
import settings from './settings';

export default { browser, connect, settings };
