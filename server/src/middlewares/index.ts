import bodyLimit from './body-limit';
import rateLimit from './rate-limit';

export default { bodyLimit, rateLimit };
