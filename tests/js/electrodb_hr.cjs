// The ElectroDB side of tests/it/electrodb_hr.rs: the human-resources
// service of ElectroDB's documentation (entities employee, task and office,
// five GSIs, the index collections `workplaces` and `assignments`), as its
// docs declare it, written and read by ElectroDB itself.
//
//   node electrodb_hr.cjs seed TABLE                      (writes the sample data)
//   node electrodb_hr.cjs get-employee TABLE EMPLOYEE     -> JSON item or null
//   node electrodb_hr.cjs roles TABLE TITLE               -> JSON items (gsi4)
//   node electrodb_hr.cjs reports TABLE MANAGER           -> JSON items (gsi5)
//   node electrodb_hr.cjs workplaces TABLE OFFICE         -> JSON collection (gsi1)
//   node electrodb_hr.cjs assignments TABLE EMPLOYEE      -> JSON collection (gsi3)
//   node electrodb_hr.cjs employee-item JSON              -> the item ElectroDB would put
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

// The models as the documentation declares them.
const Employee = new Entity({
  model: { entity: "employee", version: "1", service: "taskapp" },
  attributes: {
    employee: { type: "string" },
    firstName: { type: "string" },
    lastName: { type: "string" },
    office: { type: "string" },
    title: { type: "string" },
    team: { type: ["development", "marketing", "finance", "product"] },
    salary: { type: "string" },
    manager: { type: "string" },
    dateHired: { type: "string" },
    birthday: { type: "string" },
  },
  indexes: {
    employee: { pk: { field: "pk", composite: ["employee"] }, sk: { field: "sk", composite: [] } },
    coworkers: {
      index: "gsi1pk-gsi1sk-index",
      collection: "workplaces",
      pk: { field: "gsi1pk", composite: ["office"] },
      sk: { field: "gsi1sk", composite: ["team", "title", "employee"] },
    },
    teams: {
      index: "gsi2pk-gsi2sk-index",
      pk: { field: "gsi2pk", composite: ["team"] },
      sk: { field: "gsi2sk", composite: ["title", "salary", "employee"] },
    },
    employeeLookup: {
      collection: "assignments",
      index: "gsi3pk-gsi3sk-index",
      pk: { field: "gsi3pk", composite: ["employee"] },
      sk: { field: "gsi3sk", composite: [] },
    },
    roles: {
      index: "gsi4pk-gsi4sk-index",
      pk: { field: "gsi4pk", composite: ["title"] },
      sk: { field: "gsi4sk", composite: ["salary", "employee"] },
    },
    directReports: {
      index: "gsi5pk-gsi5sk-index",
      pk: { field: "gsi5pk", composite: ["manager"] },
      sk: { field: "gsi5sk", composite: ["team", "office", "employee"] },
    },
  },
});

const Task = new Entity({
  model: { entity: "task", version: "1", service: "taskapp" },
  attributes: { task: "string", project: "string", employee: "string", description: "string" },
  indexes: {
    task: { pk: { field: "pk", composite: ["task"] }, sk: { field: "sk", composite: ["project", "employee"] } },
    project: {
      index: "gsi1pk-gsi1sk-index",
      pk: { field: "gsi1pk", composite: ["project"] },
      sk: { field: "gsi1sk", composite: ["employee", "task"] },
    },
    assigned: {
      collection: "assignments",
      index: "gsi3pk-gsi3sk-index",
      pk: { field: "gsi3pk", composite: ["employee"] },
      sk: { field: "gsi3sk", composite: ["project", "task"] },
    },
  },
});

const Office = new Entity({
  model: { entity: "office", version: "1", service: "taskapp" },
  attributes: {
    office: { type: "string" },
    country: { type: "string" },
    state: { type: "string" },
    city: { type: "string" },
    zip: { type: "string" },
    address: { type: "string" },
  },
  indexes: {
    locations: {
      pk: { field: "pk", composite: ["country", "state"] },
      sk: { field: "sk", composite: ["city", "zip", "office"] },
    },
    office: {
      index: "gsi1pk-gsi1sk-index",
      collection: "workplaces",
      pk: { field: "gsi1pk", composite: ["office"] },
      sk: { field: "gsi1sk", composite: [] },
    },
  },
});

const app = new Service({ employees: Employee, tasks: Task, offices: Office }, { client, table });
const out = (value) => console.log(JSON.stringify(value));

const commands = {
  async seed() {
    // Spaces, mixed case, punctuation, and absent optional attributes (no
    // manager, no birthday): what the documentation's own samples hold.
    await app.entities.employees
      .put({
        employee: "CBaskin", firstName: "Carol", lastName: "Baskin", office: "Big Cat Rescue",
        title: "Junior Software Engineer", team: "development", salary: "1,000,000",
        dateHired: "1992-11-04", birthday: "1961-06-06",
      })
      .go();
    await app.entities.employees
      .put({
        employee: "JExotic", firstName: "Joe", lastName: "Maldonado-Passage", office: "GW Zoo",
        title: "Tiger King", team: "product", salary: "10000.00", manager: "JLowe",
        dateHired: "1999-02-23",
      })
      .go();
    await app.entities.employees
      .put({
        employee: "SSaffery", firstName: "Saff", office: "GW Zoo", title: "Animal Wrangler",
        team: "marketing", salary: "105.00", manager: "JExotic",
      })
      .go();
    await app.entities.tasks
      .put({ task: "Feed Tigers", project: "Keep Tigers Alive", employee: "CBaskin", description: "Prepare food for tigers to eat" })
      .go();
    await app.entities.tasks
      .put({ task: "Fill Water Bowls", project: "Keep Tigers Alive", employee: "CBaskin" })
      .go();
    await app.entities.tasks
      .put({ task: "Hire Help", project: "Run The Zoo", employee: "JExotic", description: "Find keepers" })
      .go();
    await app.entities.offices
      .put({ office: "Big Cat Rescue", country: "USA", state: "Florida", city: "Tampa", zip: "12345", address: "123 Kitty Cat Lane" })
      .go();
    await app.entities.offices
      .put({ office: "GW Zoo", country: "USA", state: "Oklahoma", city: "Wynnewood", zip: "73098" })
      .go();
  },
  async "get-employee"() {
    const [employee] = args;
    out((await app.entities.employees.get({ employee }).go()).data);
  },
  async roles() {
    const [title] = args;
    out((await app.entities.employees.query.roles({ title }).go({ pages: "all" })).data);
  },
  async reports() {
    const [manager] = args;
    out((await app.entities.employees.query.directReports({ manager }).go({ pages: "all" })).data);
  },
  async workplaces() {
    const [office] = args;
    out((await app.collections.workplaces({ office }).go({ pages: "all" })).data);
  },
  async assignments() {
    const [employee] = args;
    out((await app.collections.assignments({ employee }).go({ pages: "all" })).data);
  },
  async "employee-item"() {
    // `table` is the JSON of the values here.
    out(app.entities.employees.put(JSON.parse(table)).params().Item);
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
