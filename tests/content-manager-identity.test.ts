/**
 * Which user a TikTok login becomes is decided by the identity rows. No admin, whatever their Content
 * Manager rights, may change them: an Editor who could set a victim's identity to the union_id of an
 * account of their own would log in as the victim.
 */
import type { FakeTikTok } from './support/fake-tiktok';
import { createRole, loginAdminWithRole, registerSuperAdmin } from './support/admin';
import { startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

const IDENTITY = 'plugin::tiktok-auth-mobile.identity';
const USER = 'plugin::users-permissions.user';
const IDENTITIES_API = `/content-manager/collection-types/${IDENTITY}`;

let tiktok: FakeTikTok;
let app: TestApp;
let superToken: string;
let editorToken: string;
let formerEditorToken: string;

beforeAll(async () => {
  ({ tiktok, app } = await startWithFakeTikTok());
  superToken = await registerSuperAdmin(app);
  const editorRole = await app.strapi.service('admin::role').findOne({ code: 'strapi-editor' });
  editorToken = await loginAdminWithRole(app, editorRole.id, 'editor@example.com');
  // Roles made while identities were shown in the Content Manager kept these rights in the database.
  const explorer = ['create', 'read', 'update', 'delete', 'publish'].map((action) => `plugin::content-manager.explorer.${action}`);
  const formerRole = await createRole(app, 'Former editors', []);
  // Written straight to the database: the permission service no longer accepts them.
  for (const action of explorer) {
    await app.strapi.db.query('admin::permission').create({
      data: { action, actionParameters: {}, subject: IDENTITY, properties: { fields: ['unionId', 'user'] }, conditions: [], role: formerRole },
    });
  }
  formerEditorToken = await loginAdminWithRole(app, formerRole, 'former-editor@example.com');
});
afterAll(() => stopAll({ app, tiktok }));

const connect = (accessToken: string) =>
  app.request().post('/api/tiktok-auth-mobile/connect').send({ access_token: accessToken });

const identities = () =>
  app.strapi.db.query(IDENTITY).findMany({ orderBy: { id: 'asc' }, populate: { user: { select: ['id'] } } });

/** A victim who logged in with TikTok, and an attacker's TikTok account that never did. */
const victimAndAttacker = async () => {
  const victimAccount = tiktok.addAccount({ displayName: 'Victim' });
  const victim = await connect(tiktok.issueAccessToken(victimAccount));
  expect(victim.status).toBe(200);
  const identity = await app.strapi.db.query(IDENTITY).findOne({ where: { unionId: victimAccount.unionId } });
  return { victimUserId: victim.body.user.id as number, identity, attacker: tiktok.addAccount({ displayName: 'Attacker' }) };
};

describe.each([
  ['an Editor', () => editorToken],
  ['a super admin', () => superToken],
  ['an admin whose role kept write rights on identities from an older install', () => formerEditorToken],
])('%s, through the Content Manager API', (_who, token) => {
  const as = <T extends { set: (name: string, value: string) => T }>(req: T) => req.set('Authorization', `Bearer ${token()}`);

  it('cannot point a victim identity at their own TikTok account', async () => {
    const { victimUserId, identity, attacker } = await victimAndAttacker();
    const before = await identities();

    const res = await as(app.request().put(`${IDENTITIES_API}/${identity.documentId}`)).send({ unionId: attacker.unionId });

    expect(res.status).toBe(403);
    expect(await identities()).toEqual(before);
    // The attacker's account logs in as a new user of its own, never as the victim.
    const login = await connect(tiktok.issueAccessToken(attacker));
    expect(login.status).toBe(200);
    expect(login.body.user.id).not.toBe(victimUserId);
  });

  it('cannot create an identity for a victim user', async () => {
    const { victimUserId, attacker } = await victimAndAttacker();
    const before = await identities();

    const res = await as(app.request().post(IDENTITIES_API)).send({ unionId: attacker.unionId, user: victimUserId });

    expect(res.status).toBe(403);
    expect(await identities()).toEqual(before);
  });

  it('cannot delete an identity', async () => {
    const { identity } = await victimAndAttacker();
    const before = await identities();

    const res = await as(app.request().delete(`${IDENTITIES_API}/${identity.documentId}`));

    expect(res.status).toBe(403);
    expect(await identities()).toEqual(before);
  });

  it('cannot unpublish, publish or bulk-delete identities', async () => {
    const { identity } = await victimAndAttacker();
    const before = await identities();

    const bulk = await as(app.request().post(`${IDENTITIES_API}/actions/bulkDelete`)).send({ documentIds: [identity.documentId] });
    const publish = await as(app.request().post(`${IDENTITIES_API}/${identity.documentId}/actions/publish`)).send({});

    expect(bulk.status).toBe(403);
    expect(publish.status).toBe(403);
    expect(await identities()).toEqual(before);
  });
});

it("a super admin editing a user cannot attach another account's identity to it", async () => {
  const victimAccount = tiktok.addAccount({ displayName: 'Victim of a relink' });
  const victim = await connect(tiktok.issueAccessToken(victimAccount));
  const identity = await app.strapi.db.query(IDENTITY).findOne({ where: { unionId: victimAccount.unionId } });
  const other = await app.strapi.db.query(USER).create({
    data: { username: 'someone-else', email: 'someone@example.com', provider: 'local', confirmed: true, blocked: false },
  });

  const res = await app
    .request()
    .put(`/content-manager/collection-types/${USER}/${other.documentId}`)
    .set('Authorization', `Bearer ${superToken}`)
    .send({ tiktokIdentity: { connect: [{ documentId: identity.documentId }] } });

  // The edit goes through, without the link: it is not writable from the Content Manager.
  expect(res.status).toBe(200);
  const after = await app.strapi.db.query(IDENTITY).findOne({ where: { id: identity.id }, populate: { user: { select: ['id'] } } });
  expect(after.user.id).toBe(victim.body.user.id);
  const login = await connect(tiktok.issueAccessToken(victimAccount));
  expect(login.body.user.id).toBe(victim.body.user.id);
});

it('lists no identity in the Content Manager, and does not let the plugin data be edited as content', async () => {
  const res = await app
    .request()
    .get('/content-manager/content-types')
    .set('Authorization', `Bearer ${superToken}`);

  expect(res.status).toBe(200);
  const identityType = (res.body.data as Array<{ uid: string; isDisplayed: boolean }>).find(({ uid }) => uid === IDENTITY);
  expect(identityType?.isDisplayed).toBe(false);
});

it.each(['plugin::tiktok-auth-mobile.pending-login', 'plugin::tiktok-auth-mobile.login-code'])(
  'keeps the browser login records (%s) out of the Content Manager, for a super admin too',
  async (uid) => {
    const types = await app.request().get('/content-manager/content-types').set('Authorization', `Bearer ${superToken}`);
    const created = await app
      .request()
      .post(`/content-manager/collection-types/${uid}`)
      .set('Authorization', `Bearer ${superToken}`)
      .send({ stateHash: 'x', codeHash: 'x', codeVerifier: 'x', clientKey: 'x', appRedirect: 'x', userId: 1, profile: {}, expiresAt: new Date() });

    expect((types.body.data as Array<{ uid: string; isDisplayed: boolean }>).find((type) => type.uid === uid)?.isDisplayed).toBe(false);
    expect(created.status).toBe(403);
    expect(await app.strapi.db.query(uid).count()).toBe(0);
    await expect(app.strapi.documents(uid as 'plugin::tiktok-auth-mobile.login-code').create({ data: {} })).rejects.toThrow(/managed by the tiktok-auth-mobile plugin/);
  }
);
