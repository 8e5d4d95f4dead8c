import { describe, expect, expectTypeOf, it } from "vitest";
import * as Postgres from "~/generated/prisma/postgresql/client";
import * as Sqlite from "~/generated/prisma/sqlite/client";

// The app is typed with the SQLite client (app/utils/db.server.ts) and runs the PostgreSQL
// one on PostgreSQL: both are generated from prisma/schema.prisma and must give the same
// models. The type checks run in `npm run typecheck`; the rest at test time.
describe("the two generated clients", () => {
  it("have the same model types", () => {
    expectTypeOf<Postgres.User>().toEqualTypeOf<Sqlite.User>();
    expectTypeOf<Postgres.Post>().toEqualTypeOf<Sqlite.Post>();
    expectTypeOf<Postgres.DeletedPost>().toEqualTypeOf<Sqlite.DeletedPost>();
    expectTypeOf<Postgres.Image>().toEqualTypeOf<Sqlite.Image>();
    expectTypeOf<Postgres.PostRevision>().toEqualTypeOf<Sqlite.PostRevision>();
    expectTypeOf<Postgres.ApiToken>().toEqualTypeOf<Sqlite.ApiToken>();
    expectTypeOf<Postgres.Throttle>().toEqualTypeOf<Sqlite.Throttle>();
    expectTypeOf<Postgres.ContentVersion>().toEqualTypeOf<Sqlite.ContentVersion>();
    expectTypeOf<Postgres.Prisma.PostCreateManyInput>().toEqualTypeOf<Sqlite.Prisma.PostCreateManyInput>();
  });

  it("have the same models and columns", () => {
    expect(Postgres.Prisma.ModelName).toEqual(Sqlite.Prisma.ModelName);
    const columns = (client: typeof Sqlite.Prisma | typeof Postgres.Prisma) =>
      Object.fromEntries(Object.entries(client).filter(([name]) => name.endsWith("ScalarFieldEnum")));
    expect(Object.keys(columns(Sqlite.Prisma))).toHaveLength(Object.keys(Sqlite.Prisma.ModelName).length);
    expect(columns(Postgres.Prisma)).toEqual(columns(Sqlite.Prisma));
  });
});
