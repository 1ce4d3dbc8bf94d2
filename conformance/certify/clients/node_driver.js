// node_driver.js - a client for `pgw certify client`: node-postgres (npm
// pg, installed under .deps/node-pg by clients/run), one fresh connection
// per action, in order (the actions of `pgw certify client --list`).
//
//   NODE_PATH=.deps/node-pg/node_modules node node_driver.js HOST PORT USER PASSWORD DB ACTION...
//
// pg has no COPY of its own (that is the pg-copy-streams package) and no
// pipeline API: "copyin", "copyfail", "copyout" and "pipeline" run what pg
// offers (a simple query for COPY is refused by pg itself: it is logged,
// the case shows what the client did). "cancel" is pg's own cancel: a
// second Client whose connection sends the CancelRequest
// (client.processID / secretKey), as pg_cancel_backend-less drivers do.
'use strict';
const pg = require('pg');
const [host, port, user, password, database, ...actions] = process.argv.slice(2);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function cancel(c) {
  const q = c.query('SELECT pg_sleep(5)').catch((e) => e);
  await sleep(200);
  // pg's Connection.cancel(processID, secretKey) on a new connection
  const k = new pg.Client({ host, port: Number(port), user, password, database });
  await new Promise((resolve) => {
    k.connection.on('connect', () => {
      k.connection.cancel(c.processID, c.secretKey);
      resolve();
    });
    k.connection.on('error', resolve);
    k.connection.connect(Number(port), host);
  });
  await q;
  k.connection.end();
}

const ACTIONS = {
  query: (c) => c.query('SELECT 1'),
  query2: async (c) => {
    await c.query('SELECT 1').catch((e) => console.log('  ' + e.message));
    await c.query('SELECT 2');
  },
  extended: (c) => c.query('SELECT $1::int', [1]),
  pipeline: (c) => Promise.all([1, 2, 3].map(() => c.query('SELECT $1::int', [1]))),
  copyin: (c) => c.query('COPY certify FROM STDIN'),
  copyfail: (c) => c.query('COPY certify FROM STDIN'),
  copyout: (c) => c.query('COPY certify TO STDOUT'),
  cancel,
  listen: async (c) => {
    await c.query('LISTEN certify');
    await sleep(1000);
  },
};

async function main() {
  console.log('node-postgres ' + require('pg/package.json').version);
  let i = 0;
  for (const a of actions) {
    i++;
    const c = new pg.Client({ host, port: Number(port), user, password, database,
      connectionTimeoutMillis: 10000, query_timeout: 20000 });
    c.on('error', () => {});
    try {
      await c.connect();
      await ACTIONS[a](c);
      console.log(i + ' ' + a + ' ok');
    } catch (e) {
      console.log(i + ' ' + a + ' ' + (e && e.message));
    }
    await c.end().catch(() => {});
  }
}
main();
