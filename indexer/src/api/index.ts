// The query API: SQL over HTTP (@ponder/client, live queries) at /sql and GraphQL at
// /graphql. Ponder itself serves /health, /ready and /status (the indexed head).
import { db } from "ponder:api";
import schema from "ponder:schema";
import { Hono } from "hono";
import { client, graphql } from "ponder";

const app = new Hono();

app.use("/sql/*", client({ db, schema }));
app.use("/graphql", graphql({ db, schema }));

export default app;
