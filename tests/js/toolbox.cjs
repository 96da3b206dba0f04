// The DynamoDB-Toolbox v2 side of tests/it/toolbox.rs: entities in the shape
// of its documentation (keys computed by functions, the internal `_et`,
// `_ct` and `_md` attributes, a string set, a discriminated map, an
// optional attribute), written and read by DynamoDB-Toolbox itself.
//
//   node toolbox.cjs seed TABLE
//   node toolbox.cjs get-pokemon TABLE TRAINER POKEMON   -> JSON item or null
//   node toolbox.cjs trainer TABLE TRAINER               -> JSON items of the partition
//   node toolbox.cjs pokemon-item JSON                   -> the item DynamoDB-Toolbox would put
"use strict";
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient } = require("@aws-sdk/lib-dynamodb");
const {
  Table, Entity, item, string, number, set, map, anyOf,
  GetItemCommand, PutItemCommand, QueryCommand,
} = require("dynamodb-toolbox");

const [command, table, ...args] = process.argv.slice(2);
const documentClient = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    region: process.env.AWS_REGION || "us-east-1",
  }),
);

const PokeTable = new Table({
  name: table,
  documentClient,
  partitionKey: { name: "pk", type: "string" },
  sortKey: { name: "sk", type: "string" },
});

const Trainer = new Entity({
  name: "TRAINER",
  table: PokeTable,
  schema: item({
    trainerId: string().key(),
    name: string(),
    hometown: string().optional(),
  }),
  computeKey: ({ trainerId }) => ({ pk: `TRAINER#${trainerId}`, sk: "TRAINER" }),
});

const Pokemon = new Entity({
  name: "POKEMON",
  table: PokeTable,
  schema: item({
    trainerId: string().key(),
    pokemonId: string().key(),
    name: string(),
    level: number(),
    types: set(string()),
    nickname: string().optional(),
    appearance: anyOf(
      map({ kind: string().const("shiny"), sparkle: number() }),
      map({ kind: string().const("normal") }),
    ).discriminate("kind"),
  }),
  computeKey: ({ trainerId, pokemonId }) => ({
    pk: `TRAINER#${trainerId}`,
    sk: `POKEMON#${pokemonId}`,
  }),
});

// Sets print as sorted arrays, so JSON compares.
const out = (value) =>
  console.log(JSON.stringify(value ?? null, (k, v) => (v instanceof Set ? [...v].sort() : v)));

const commands = {
  async seed() {
    await Trainer.build(PutItemCommand).item({ trainerId: "Ash Ketchum", name: "Ash", hometown: "Pallet Town" }).send();
    await Pokemon.build(PutItemCommand)
      .item({
        trainerId: "Ash Ketchum", pokemonId: "Mr Mime", name: "Mr. Mime", level: 5,
        types: new Set(["psychic", "fairy"]), appearance: { kind: "shiny", sparkle: 3 },
      })
      .send();
    await Pokemon.build(PutItemCommand)
      .item({
        trainerId: "Ash Ketchum", pokemonId: "Pikachu", name: "Pikachu", level: 12,
        types: new Set(["electric"]), nickname: "Sparky", appearance: { kind: "normal" },
      })
      .send();
  },
  async "get-pokemon"() {
    const [trainerId, pokemonId] = args;
    const { Item } = await Pokemon.build(GetItemCommand).key({ trainerId, pokemonId }).send();
    out(Item);
  },
  async trainer() {
    const [trainerId] = args;
    const { Items } = await PokeTable.build(QueryCommand)
      .query({ partition: `TRAINER#${trainerId}` })
      .entities(Trainer, Pokemon)
      .options({ maxPages: Infinity })
      .send();
    out(Items);
  },
  async "pokemon-item"() {
    // `table` is the JSON of the values here; sets arrive as arrays.
    const values = JSON.parse(table);
    values.types = new Set(values.types);
    out(Pokemon.build(PutItemCommand).item(values).params().Item);
  },
};

if (!commands[command]) {
  console.error(`unknown command ${command}`);
  process.exit(2);
}
commands[command]().catch((e) => {
  console.error(e);
  process.exit(1);
});
