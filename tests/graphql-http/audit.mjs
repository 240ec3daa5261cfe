// Runs graphql-http's public GraphQL over HTTP audit (auditServer) against the URL given as
// the first argument and prints one JSON array of results on stdout: for each audit its id,
// name (starting MUST, SHOULD or MAY), status ('ok', 'warn' for a failed SHOULD, 'notice' for
// a failed MAY, 'error' for a failed MUST) and, when it failed, the reason and the status and
// body of the response it judged. Exits non-zero only when the audit itself could not run.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}

const results = await auditServer({ url });
const described = await Promise.all(
  results.map(async (result) => {
    const { id, name, status } = result;
    if (status === 'ok') return { id, name, status };
    const response = result.response;
    let body = null;
    try {
      body = await response.text();
    } catch {
      // The audit read the body already; its reason says what it found.
    }
    return { id, name, status, reason: result.reason, responseStatus: response.status, body };
  }),
);
process.stdout.write(JSON.stringify(described));
