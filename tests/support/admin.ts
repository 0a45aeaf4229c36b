/** Admin-panel users for admin-API tests: the first super admin, and admins of other roles. */
import type { Core } from '@strapi/strapi';
import type { TestApp } from './strapi';

const PASSWORD = 'Admin-Passw0rd!';
const SUPER_ADMIN_EMAIL = 'super@example.com';

export async function registerSuperAdmin(app: TestApp): Promise<string> {
  const res = await app
    .request()
    .post('/admin/register-admin')
    .send({ firstname: 'Super', lastname: 'Admin', email: SUPER_ADMIN_EMAIL, password: PASSWORD });
  if (res.status !== 201 && res.status !== 200) throw new Error(`register-admin answered ${res.status}`);
  return res.body.data.token as string;
}

/** Logs in as an admin registered earlier on the same database, e.g. by an earlier boot. */
async function loginAdmin(app: TestApp, email: string): Promise<string> {
  const res = await app.request().post('/admin/login').send({ email, password: PASSWORD });
  if (res.status !== 200) throw new Error(`admin login answered ${res.status}`);
  return res.body.data.token as string;
}

export const loginSuperAdmin = (app: TestApp) => loginAdmin(app, SUPER_ADMIN_EMAIL);

/** An active admin with the given role, logged in: returns its admin JWT. */
export async function loginAdminWithRole(app: TestApp, roleId: number, email: string): Promise<string> {
  const strapi: Core.Strapi = app.strapi;
  await strapi.service('admin::user').create({
    firstname: 'Role',
    lastname: 'Tester',
    email,
    password: PASSWORD,
    roles: [roleId],
    isActive: true,
    registrationToken: null,
  });
  return loginAdmin(app, email);
}

/** A new admin role holding exactly these actions. */
export async function createRole(app: TestApp, name: string, actions: string[]): Promise<number> {
  const roles = app.strapi.service('admin::role');
  const role = await roles.create({ name, description: `${name} (test)` });
  await roles.assignPermissions(role.id, actions.map((action) => ({ action, subject: null, conditions: [], properties: {} })));
  return role.id as number;
}
