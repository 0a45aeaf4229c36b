import { ConnectError } from '../errors';
import { VISIBLE_ASCII } from './text';

const MAX_LENGTH = 128;

/**
 * The optional `deviceId` a refresh-mode login passes to its users-permissions session (as
 * /api/auth/local does). Checked before anything is written: a failed login writes nothing.
 */
export const parseDeviceId = (body: unknown): string | undefined => {
  const deviceId = typeof body === 'object' && body !== null ? (body as { deviceId?: unknown }).deviceId : undefined;
  if (deviceId === undefined) return undefined;
  if (typeof deviceId !== 'string' || deviceId === '' || deviceId.length > MAX_LENGTH || !VISIBLE_ASCII.test(deviceId)) {
    const message = `deviceId must be a string of 1 to ${MAX_LENGTH} visible ASCII characters`;
    throw new ConnectError('invalid_request', message, { errors: [{ path: 'deviceId', message }] });
  }
  return deviceId;
};
