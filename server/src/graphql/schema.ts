/**
 * The plugin's GraphQL types: /connect, GET /me, POST /link and DELETE /me as one query and three
 * mutations. Inputs mirror the REST bodies in GraphQL's camelCase; `user` is users-permissions' own type.
 */
export const typeDefs = /* GraphQL */ `
  input TiktokConnectInput {
    accessToken: String
    code: String
    codeVerifier: String
    clientKey: String
    redirectUri: String
    loginCode: String
    deviceId: String
  }

  type TiktokProfile {
    unionId: String!
    openId: String!
    displayName: String
    avatarUrl: String
    username: String
  }

  type TiktokConnectPayload {
    jwt: String!
    refreshToken: String
    user: UsersPermissionsMe!
    profile: TiktokProfile!
  }

  type TiktokClientTokens {
    clientKey: String!
    tokensStored: Boolean!
    accessTokenExpiresAt: DateTime
    refreshTokenExpiresAt: DateTime
  }

  type TiktokLink {
    unionId: String!
    displayName: String
    avatarUrl: String
    username: String
    isVerified: Boolean
    scopes: [String!]!
    linkedAt: DateTime
    lastLoginAt: DateTime
    clients: [TiktokClientTokens!]!
  }

  extend type Query {
    "The caller's TikTok link (GET /api/tiktok-auth-mobile/me)."
    tiktokMe: TiktokLink!
  }

  extend type Mutation {
    "Logs a TikTok user in (POST /api/tiktok-auth-mobile/connect)."
    tiktokConnect(input: TiktokConnectInput!): TiktokConnectPayload!
    "Links a TikTok account to the caller (POST /api/tiktok-auth-mobile/link); not with a loginCode."
    tiktokLink(input: TiktokConnectInput!): TiktokLink!
    "Unlinks the caller's TikTok account (DELETE /api/tiktok-auth-mobile/me); confirm as ?confirm=true."
    tiktokUnlink(confirm: Boolean): Boolean!
  }
`;

/** A GraphQL input as the REST body it stands for. */
export const restBody = (input: Record<string, unknown>) => {
  const names: Record<string, string> = {
    accessToken: 'access_token',
    code: 'code',
    codeVerifier: 'code_verifier',
    clientKey: 'client_key',
    redirectUri: 'redirect_uri',
    loginCode: 'login_code',
    deviceId: 'deviceId',
  };
  return Object.fromEntries(
    Object.entries(input)
      .filter(([, value]) => value !== null && value !== undefined)
      .map(([name, value]) => [names[name] ?? name, value])
  );
};
