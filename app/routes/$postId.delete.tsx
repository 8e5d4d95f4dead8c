import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { deletePost, getPost } from "~/models/post.server";
import { invariantResponse, postNotFound, requirePostId } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { errorTitle, pageTitle } from "~/utils/meta";
import { redirectWithNotice, requireUser } from "~/utils/session.server";
import type { RouteHandle } from "~/utils/route-handle";

export const handle: RouteHandle = { signedInOnly: true };

export const meta: MetaFunction<typeof loader> = ({ data, error }) => [
  { title: data ? pageTitle(`Delete “${data.post.title}”?`) : errorTitle(error) },
];

const NOT_OWNER = "Only the person who wrote a post may delete it.";

// GET only asks; deleting takes the POST below.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const id = requirePostId(params.postId);
  const user = await requireUser(request);
  const post = (await getPost(id)) ?? (await postNotFound(id));
  invariantResponse(post.ownerId === user.id, NOT_OWNER, 403);
  return { post: { id: post.id, title: post.title } };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const id = requirePostId(params.postId);
  const user = await requireUser(request);
  await readForm(request, { fields: [] });
  const result = await deletePost({ id, userId: user.id });
  if (result === "missing") return postNotFound(id);
  invariantResponse(result !== "forbidden", NOT_OWNER, 403);
  return redirectWithNotice(request, "/", "Deleted: the post and its image are gone.");
}

export default function DeletePost() {
  const { post } = useLoaderData<typeof loader>();
  const deleting = useNavigation().state === "submitting";
  return (
    <main className="page narrow">
      <h1>Delete “{post.title}”?</h1>
      <p className="lead">The post, its image and its whole history (every earlier version) will be gone for good. Its address will say it was deleted.</p>
      <Form method="post" className="form-actions">
        <button type="submit" className="danger" disabled={deleting}>
          {deleting ? "Deleting…" : "Delete post"}
        </button>
        <Link to={`/${post.id}`} className="button secondary">
          Keep it
        </Link>
      </Form>
    </main>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
