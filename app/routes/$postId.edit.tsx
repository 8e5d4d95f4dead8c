import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { EditConflict } from "~/components/edit-conflict";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { PostForm } from "~/components/post-form";
import { getPost, updatePost } from "~/models/post.server";
import { changesSince } from "~/models/revision.server";
import { invariantResponse, requirePostId } from "~/utils/http.server";
import { postImageUrl } from "~/utils/image-url";
import { busyFormOrThrow, readPostSubmission, retryAfterHeaders } from "~/utils/post-form.server";
import { editorName } from "~/utils/names";
import { requireUser } from "~/utils/session.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Edit “${data.post.title}” · Quill` : "Post not found · Quill" },
];

export const headers = retryAfterHeaders;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const id = requirePostId(params.postId);
  await requireUser(request);
  const post = await getPost(id);
  invariantResponse(post, "No post has that address.", 404);
  return { post };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const id = requirePostId(params.postId);
  const user = await requireUser(request);
  const submission = await readPostSubmission(request, user.id);
  if (!submission.ok) {
    return data(
      { errors: submission.errors, values: submission.values, conflict: null },
      { status: submission.status, headers: submission.status === 503 ? { "Retry-After": "5" } : undefined },
    );
  }
  let result;
  try {
    result = await updatePost({
      id,
      editorId: user.id,
      input: submission.input,
      baseVersion: submission.baseVersion,
      image: submission.image ?? undefined,
    });
  } catch (error) {
    return busyFormOrThrow(error, submission.input);
  }
  invariantResponse(result.status !== "missing", "This post was deleted while you were editing it.", 404);
  if (result.status === "conflict") {
    // Someone saved first: keep the user's words in the form and show what they saved.
    const { title, text, version } = result.current;
    const editor = editorName(result.current);
    // What they changed since the version this editor began from (issue 12).
    const changes = await changesSince(id, submission.baseVersion, result.current);
    return data(
      {
        errors: { form: `${editor} saved this post while you were editing. Your changes are not saved yet.` },
        values: submission.input,
        conflict: { title, text, editor, version, changes },
      },
      { status: 409 },
    );
  }
  return redirect(`/${id}`);
}

export default function EditPost() {
  const { post } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const conflict = actionData?.conflict;
  return (
    <main className="page narrow">
      <h1>Edit post</h1>
      {conflict ? <EditConflict postId={post.id} conflict={conflict} /> : null}
      <PostForm
        // Remount after a conflict so the form carries the newer version it now builds on.
        key={conflict?.version ?? post.version}
        defaultValues={actionData?.values ?? { title: post.title, text: post.text }}
        errors={actionData?.errors}
        version={conflict?.version ?? post.version}
        currentImageUrl={post.imageHash ? postImageUrl(post) : null}
        submitLabel="Save"
        pendingLabel="Saving…"
      />
      <p>
        <Link to={`/${post.id}`}>Cancel</Link>
      </p>
    </main>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
