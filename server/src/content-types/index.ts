import identity from './identity';
import loginCode from './login-code';
import pendingLogin from './pending-login';

export default { identity, 'pending-login': pendingLogin, 'login-code': loginCode };
