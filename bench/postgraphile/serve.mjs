// Serves PostGraphile 5 (graphile.config.mjs) on 127.0.0.1:PORT in WORKERS processes that
// share the port (node's cluster module): WORKERS=1 is PostGraphile as one process.
import cluster from "node:cluster";
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import preset from "./graphile.config.mjs";

const workers = Number(process.env.WORKERS ?? 1);
const port = Number(process.env.PORT ?? 5678);

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on("exit", (worker, code) => {
    console.error(`worker ${worker.process.pid} exited with ${code}`);
    process.exit(1);
  });
} else {
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  serv.addTo(server).catch((e) => {
    console.error(e);
    process.exit(1);
  });
  server.listen(port, "127.0.0.1");
}
