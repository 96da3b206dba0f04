// The JavaScript side of tests/it/inside_js.rs: an order written with the
// AWS SDK for JavaScript v3 DocumentClient, holding nested maps, lists of
// maps, a map with awkward keys, and string, number and binary sets (JS
// `Set`s), with an optional field absent; read back with every value
// shown exactly (sets sorted, binary as byte arrays).
//
//   node nested.cjs seed TABLE CUSTOMER ID
//   node nested.cjs get TABLE CUSTOMER ID    -> JSON item
"use strict";
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, PutCommand, GetCommand } = require("@aws-sdk/lib-dynamodb");

const [command, table, customer, id] = process.argv.slice(2);
const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    region: process.env.AWS_REGION || "us-east-1",
  }),
);
const key = { PK: `CUSTOMER#${customer}`, SK: `ORDER#${id}` };

async function seed() {
  await doc.send(new PutCommand({
    TableName: table,
    Item: {
      ...key,
      customer,
      id,
      status: "Placed Online",
      // No `zip`: an absent optional field.
      address: {
        streetLine: "742 Evergreen Terrace",
        city: "Springfield",
        geo: { lat: 39.7817, visitCount: 2 },
      },
      lines: [
        { sku: "Sku One", qty: 1, notes: ["Gift Wrap please"] },
        { sku: "sku-TWO", qty: 2, notes: [] },
      ],
      attributes: { "Gift Wrap": "yes", "color. #1": "Dark Blue" },
      tags: new Set(["gift", "Rush Order"]),
      codes: new Set([7, 42, -3]),
      blobs: new Set([Uint8Array.from([1, 2]), Uint8Array.from([255])]),
      subtotal: 100,
      total: 100,
    },
  }));
}

// Every value as JSON can show it exactly: sets as sorted arrays, binary
// as arrays of bytes, numbers as JavaScript reads them.
function plain(value) {
  if (value instanceof Set) {
    return [...value].map(plain).sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
  }
  if (value instanceof Uint8Array) return [...value];
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, plain(value[k])]));
  }
  return value;
}

async function get() {
  const out = await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
  console.log(JSON.stringify(plain(out.Item)));
}

const commands = { seed, get };
if (!commands[command]) {
  console.error(`unknown command ${command}`);
  process.exit(2);
}
commands[command]().catch((e) => {
  console.error(e);
  process.exit(1);
});
