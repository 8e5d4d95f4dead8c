import { apiRoute } from "~/utils/api.server";
import { openApiDocument } from "~/utils/openapi.server";

// GET /api/openapi.json: the API's OpenAPI 3.1 description, generated from its zod schemas.

const handle = apiRoute({
  async GET() {
    return Response.json(openApiDocument(), { headers: { "Cache-Control": "public, max-age=300" } });
  },
});

export const loader = handle;
export const action = handle;
