import { ConnectError } from '../../server/src/errors';
import { parseConnectRequest } from '../../server/src/utils/connect-request';

const refusal = (body: unknown) => {
  try {
    parseConnectRequest(body);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectError);
    return error as ConnectError;
  }
  throw new Error('expected the body to be refused');
};

describe('parseConnectRequest', () => {
  it('reads the access-token flow', () => {
    expect(parseConnectRequest({ access_token: 'act.1' })).toEqual({ flow: 'access_token', accessToken: 'act.1' });
  });

  it('reads the code flow with and without the optional fields', () => {
    expect(parseConnectRequest({ code: 'c*!', code_verifier: 'v' })).toEqual({
      flow: 'code',
      code: 'c*!',
      codeVerifier: 'v',
      clientKey: undefined,
      redirectUri: undefined,
    });
    expect(
      parseConnectRequest({ code: 'c', code_verifier: 'v', client_key: 'aw1', redirect_uri: 'https://a.example/cb' })
    ).toMatchObject({ clientKey: 'aw1', redirectUri: 'https://a.example/cb' });
  });

  it('takes any printable code and code_verifier: TikTok judges them', () => {
    const verifier = 'older Android: ~!@ ä😀'.padEnd(128, '=');
    expect(parseConnectRequest({ code: 'c o d e*!😀', code_verifier: verifier })).toMatchObject({
      code: 'c o d e*!😀',
      codeVerifier: verifier,
    });
  });

  it('reads a login code from the browser login', () => {
    expect(parseConnectRequest({ login_code: 'Zm9v-YmFy_' })).toEqual({ flow: 'login_code', loginCode: 'Zm9v-YmFy_' });
  });

  it('ignores fields it does not know, such as deviceId', () => {
    expect(parseConnectRequest({ access_token: 't', deviceId: 'd' })).toEqual({ flow: 'access_token', accessToken: 't' });
  });

  it.each([
    [{}, '', /send access_token, or code and code_verifier/],
    [{ code: 'c' }, 'code_verifier', /code_verifier is required with code/],
    [{ code_verifier: 'v' }, 'code', /code is required with code_verifier/],
    [{ access_token: 't', code: 'c' }, 'code', /code cannot be sent with access_token/],
    [{ access_token: 't', redirect_uri: 'https://a.example' }, 'redirect_uri', /redirect_uri cannot be sent with access_token/],
    [{ access_token: 5 }, 'access_token', /access_token must be a string/],
    [{ login_code: 'l', code: 'c', code_verifier: 'v' }, 'code', /code cannot be sent with login_code/],
    [{ login_code: 'l', access_token: 't' }, 'access_token', /access_token cannot be sent with login_code/],
    [{ login_code: 'a b' }, 'login_code', /login_code may only hold visible ASCII/],
    [{ login_code: 'x'.repeat(129) }, 'login_code', /login_code must be at most 128 characters/],
    [{ code: 'c', code_verifier: 'tab\there' }, 'code_verifier', /code_verifier must not hold control characters/],
    [{ code: 'c\u0000', code_verifier: 'v' }, 'code', /code must not hold control characters/],
    [{ code: '\ud83d', code_verifier: 'v' }, 'code', /code must not hold control characters or unpaired surrogates/],
    [{ access_token: 'a b' }, 'access_token', /access_token may only hold visible ASCII/],
    [{ access_token: 'ä' }, 'access_token', /access_token may only hold visible ASCII/],
    [{ code: '', code_verifier: 'v' }, 'code', /code must not be empty/],
    ['text', '', /must be a JSON object/],
    [null, '', /must be a JSON object/],
  ])('refuses %j, naming %s', (body, path, message) => {
    const error = refusal(body);
    expect(error.code).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(message);
    expect(error.details.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it('reports every bad field at once', () => {
    const error = refusal({ code: 1, code_verifier: 2 });
    expect((error.details.errors as unknown[]).length).toBe(2);
  });
});
