// PostGraphile 5 over the views of viewer.sql, for the side-by-side benchmark (see
// BENCHMARKS.md). DATABASE_URL names the registry's PostgreSQL database; PORT the port.
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

export default {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["postgraphile"],
    }),
  ],
  grafserv: { port: Number(process.env.PORT ?? 5678), host: "127.0.0.1", graphiql: false },
  grafast: { explain: false },
};
