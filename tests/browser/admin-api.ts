/** Admin users for the browser tests, made through Strapi's admin API. */

interface Credentials {
  email: string;
  password: string;
}

async function call<T>(url: string, method: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as { data: T };
  if (!res.ok) throw new Error(`${method} ${new URL(url).pathname} answered ${res.status}: ${JSON.stringify(answer)}`);
  return answer.data;
}

/** Creates the first admin (possible while none exists); returns its token. */
export async function registerFirstAdmin(url: string, admin: Credentials) {
  const data = await call<{ token: string }>(`${url}/admin/register-admin`, 'POST', {
    firstname: 'Super',
    lastname: 'Admin',
    ...admin,
  });
  return data.token;
}

/** An admin whose only role may read, not update, the plugin's settings; returns its token. */
export async function createSettingsReader(url: string, superAdminToken: string, reader: Credentials) {
  const role = await call<{ id: number }>(
    `${url}/admin/roles`,
    'POST',
    { name: 'TikTok settings reader', description: 'Reads the TikTok login settings' },
    superAdminToken
  );
  await call(
    `${url}/admin/roles/${role.id}/permissions`,
    'PUT',
    { permissions: [{ action: 'plugin::tiktok-auth-mobile.settings.read', subject: null, properties: {}, conditions: [] }] },
    superAdminToken
  );
  const user = await call<{ registrationToken: string }>(
    `${url}/admin/users`,
    'POST',
    { firstname: 'Settings', lastname: 'Reader', email: reader.email, roles: [role.id] },
    superAdminToken
  );
  const registered = await call<{ token: string }>(`${url}/admin/register`, 'POST', {
    registrationToken: user.registrationToken,
    userInfo: { firstname: 'Settings', lastname: 'Reader', password: reader.password },
  });
  return registered.token;
}
