/**
 * Logs in through /connect from the command line and says what an app would do with the answer:
 *
 *   npx tsx examples/node-client/main.ts <strapi url> '<JSON body>'
 *
 * The body is one proof: {"code","code_verifier","client_key"}, {"login_code"} or {"access_token"}.
 * Exit status: 0 logged in, 1 refused (the next step is printed), 2 wrong arguments.
 */
import { connectWithTikTok, TikTokLoginError, type ConnectBody, type NextStep } from './tiktok-login';

const WHAT_TO_DO: Record<NextStep, string> = {
  retry: 'try again later (with a new TikTok login for a code or a login code)',
  restart_login: 'start a new TikTok login',
  show_message: 'tell the user; trying again will not help',
  fix_app: 'fix the app or the server configuration',
};

/** Runs one login and returns the process exit status; `print` receives each output line. */
export async function main(argv: string[], print: (line: string) => void = console.log): Promise<number> {
  const [baseUrl, json] = argv;
  let body: ConnectBody;
  try {
    if (!baseUrl || !json) throw new Error('two arguments are needed');
    body = JSON.parse(json) as ConnectBody;
  } catch (error) {
    print(`usage: main.ts <strapi url> '<JSON body>' (${(error as Error).message})`);
    return 2;
  }

  try {
    const { jwt, user, profile } = await connectWithTikTok(baseUrl, body);
    print(`logged in as user ${user.id} (${user.username}), TikTok ${profile.display_name ?? profile.union_id}`);
    print(`jwt: ${jwt}`);
    return 0;
  } catch (error) {
    if (!(error instanceof TikTokLoginError)) throw error;
    print(`refused: ${error.code} (${error.status ?? 'no answer'}): ${error.message}`);
    print(`next: ${WHAT_TO_DO[error.nextStep]}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (status) => process.exit(status),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    }
  );
}
