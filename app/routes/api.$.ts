import { apiError, apiRoute } from "~/utils/api.server";

// Any other address under /api: a JSON 404, not the site's HTML one.
const notFound = async () => apiError(404, "Nothing lives at this address. The API is at /api and /api/<id>.");

const handle = apiRoute({ GET: notFound, POST: notFound, PUT: notFound, PATCH: notFound, DELETE: notFound });

export const loader = handle;
export const action = handle;
