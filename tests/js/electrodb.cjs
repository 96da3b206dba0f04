// The ElectroDB side of tests/it/electrodb.rs: a service of two entities in
// one collection, with ElectroDB's default key format (`$service#attr_value`
// partition keys, `$collection#entity_version#attr_value` sort keys, values
// in lower case) and its type attributes `__edb_e__` / `__edb_v__`.
//
//   node electrodb.cjs seed TABLE
//   node electrodb.cjs get-employee TABLE OFFICE EMPLOYEE   -> JSON
//   node electrodb.cjs get-task TABLE OFFICE TASK           -> JSON
//   node electrodb.cjs office TABLE OFFICE                  -> JSON collection
"use strict";
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient } = require("@aws-sdk/lib-dynamodb");
const { Entity, Service } = require("electrodb");

const [command, table, ...args] = process.argv.slice(2);
const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    region: process.env.AWS_REGION || "us-east-1",
  }),
);

const Employee = new Entity(
  {
    model: { entity: "employee", version: "1", service: "taskapp" },
    attributes: {
      officeId: { type: "string", required: true },
      employeeId: { type: "string", required: true },
      name: { type: "string" },
      salary: { type: "number" },
    },
    indexes: {
      primary: {
        collection: "office",
        pk: { field: "pk", composite: ["officeId"] },
        sk: { field: "sk", composite: ["employeeId"] },
      },
    },
  },
  { table, client },
);

const Task = new Entity(
  {
    model: { entity: "task", version: "1", service: "taskapp" },
    attributes: {
      officeId: { type: "string", required: true },
      taskId: { type: "string", required: true },
      title: { type: "string" },
      points: { type: "number" },
    },
    indexes: {
      primary: {
        collection: "office",
        pk: { field: "pk", composite: ["officeId"] },
        sk: { field: "sk", composite: ["taskId"] },
      },
    },
  },
  { table, client },
);

const app = new Service({ employee: Employee, task: Task });

const commands = {
  async seed() {
    await Employee.put({ officeId: "Gwinn", employeeId: "JLowe", name: "Jane Lowe", salary: 100 }).go();
    await Employee.put({ officeId: "Gwinn", employeeId: "TDavis", name: "Tom Davis", salary: 90 }).go();
    await Task.put({ officeId: "Gwinn", taskId: "T-1", title: "Fix the roof", points: 3 }).go();
  },
  async "get-employee"() {
    const [officeId, employeeId] = args;
    console.log(JSON.stringify((await Employee.get({ officeId, employeeId }).go()).data));
  },
  async "get-task"() {
    const [officeId, taskId] = args;
    console.log(JSON.stringify((await Task.get({ officeId, taskId }).go()).data));
  },
  async office() {
    const [officeId] = args;
    const { data } = await app.collections.office({ officeId }).go({ pages: "all" });
    console.log(JSON.stringify(data));
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
