import connect from './connect';
import settings from './settings';

export default { connect, settings };
