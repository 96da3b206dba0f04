// The JavaScript side of tests/it/interop_js.rs: a TypeScript-style service
// writing and reading a creator's clips and streams with the AWS SDK for
// JavaScript v3 DocumentClient. Clip keys hold `toISOString()` timestamps
// (milliseconds); stream keys hold timestamps cut to seconds, as scripts
// write them.
//
//   node document_client.cjs seed TABLE CREATOR
//   node document_client.cjs seed-seconds-clip TABLE CREATOR
//   node document_client.cjs partition TABLE CREATOR    -> JSON items
"use strict";
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, PutCommand, QueryCommand } = require("@aws-sdk/lib-dynamodb");

const [command, table, creator] = process.argv.slice(2);
const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    region: process.env.AWS_REGION || "us-east-1",
  }),
);

const seconds = (date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

async function seed() {
  const clips = [
    [new Date(Date.UTC(2026, 4, 24, 9, 0, 1, 123)), "opening"],
    [new Date(Date.UTC(2026, 4, 24, 9, 0, 2, 0)), "whole second"],
    [new Date(Date.UTC(2026, 4, 24, 9, 0, 3, 500)), "closing"],
  ];
  for (const [at, title] of clips) {
    await doc.send(new PutCommand({
      TableName: table,
      Item: {
        PK: `CREATOR#${creator}`,
        SK: `CLIP#${at.toISOString()}`,
        creatorId: creator,
        createdAt: at.toISOString(),
        title,
        views: 0,
      },
    }));
  }
  for (const [at, title] of [
    [new Date(Date.UTC(2026, 4, 24, 8, 0, 0)), "morning stream"],
    [new Date(Date.UTC(2026, 4, 24, 20, 30, 0)), "evening stream"],
  ]) {
    // No startedAt attribute: the key alone holds the time.
    await doc.send(new PutCommand({
      TableName: table,
      Item: { PK: `CREATOR#${creator}`, SK: `STREAM#${seconds(at)}`, title },
    }));
  }
}

async function seedSecondsClip() {
  // A clip key in another precision than the other clips': a table whose
  // keys mix forms.
  const at = new Date(Date.UTC(2026, 4, 24, 9, 0, 4));
  await doc.send(new PutCommand({
    TableName: table,
    Item: { PK: `CREATOR#${creator}`, SK: `CLIP#${seconds(at)}`, title: "mixed", views: 0 },
  }));
}

async function partition() {
  const out = await doc.send(new QueryCommand({
    TableName: table,
    KeyConditionExpression: "PK = :pk",
    ExpressionAttributeValues: { ":pk": `CREATOR#${creator}` },
    ConsistentRead: true,
  }));
  console.log(JSON.stringify(out.Items));
}

const commands = { seed, "seed-seconds-clip": seedSecondsClip, partition };
if (!commands[command]) {
  console.error(`unknown command ${command}`);
  process.exit(2);
}
commands[command]().catch((e) => {
  console.error(e);
  process.exit(1);
});
