import authorization from './authorization';
import identity from './identity';
import loginCode from './login-code';
import loginRecord from './login-record';
import pendingLogin from './pending-login';

export default { identity, authorization, 'pending-login': pendingLogin, 'login-code': loginCode, 'login-record': loginRecord };
