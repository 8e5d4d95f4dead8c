import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData, type ShouldRevalidateFunction } from "@remix-run/react";
import { EditConflict } from "~/components/edit-conflict";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { PostForm } from "~/components/post-form";
import { getPost, updatePost } from "~/models/post.server";
import { changesSince } from "~/models/revision.server";
import { postNotFound, requirePostId } from "~/utils/http.server";
import { postImageUrl } from "~/utils/image-url";
import { errorTitle, pageTitle } from "~/utils/meta";
import { editorName } from "~/utils/names";
import { busyFormOrThrow, formReply, readPostSubmission, retryAfterHeaders } from "~/utils/post-form.server";
import { redirectWithNotice, requireUser } from "~/utils/session.server";
import type { RouteHandle } from "~/utils/route-handle";

export const handle: RouteHandle = { signedInOnly: true };

export const meta: MetaFunction<typeof loader> = ({ data, error }) => [
  { title: data ? pageTitle(`Edit “${data.post.title}”`) : errorTitle(error) },
];

export const headers = retryAfterHeaders;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const id = requirePostId(params.postId);
  await requireUser(request);
  const post = (await getPost(id)) ?? (await postNotFound(id));
  return { post };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const id = requirePostId(params.postId);
  const user = await requireUser(request);
  const submission = await readPostSubmission(request, user.id);
  if (submission.kind === "reply") {
    // 503: the image could not wait its turn to be decoded (image.server.ts).
    return data(submission.reply, { status: submission.status, headers: submission.status === 503 ? { "Retry-After": "5" } : undefined });
  }
  let result;
  try {
    result = await updatePost({
      id,
      editorId: user.id,
      input: submission.input,
      baseVersion: submission.baseVersion,
      image: submission.image,
      imageAlt: submission.imageAlt,
    });
  } catch (error) {
    return busyFormOrThrow(error, submission);
  }
  if (result.status === "missing") return postNotFound(id);
  if (result.status === "conflict") {
    // Someone saved first: keep the user's words in the form and show what they saved.
    const { title, text, version } = result.current;
    const editor = editorName(result.current);
    // What they changed since the version this editor began from (issue 12).
    const changes = await changesSince(id, submission.baseVersion, result.current);
    return formReply(submission, 409, `${editor} saved this post while you were editing. Your changes are not saved yet.`, {
      conflict: { title, text, editor, version, changes },
    });
  }
  return redirectWithNotice(request, `/${id}`, "Saved: your changes are on the post.");
}

// A preview saves nothing: no loader needs to run again.
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  formData?.get("intent") === "preview" ? false : defaultShouldRevalidate;

export default function EditPost() {
  const { post } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const conflict = reply?.conflict;
  return (
    <main className="page writing">
      <h1>Edit post</h1>
      {conflict ? <EditConflict postId={post.id} conflict={conflict} /> : null}
      <PostForm
        reply={reply}
        defaultValues={{ title: post.title, text: post.text, imageAlt: post.imageAlt }}
        // After a conflict the form builds on the version that was saved meanwhile.
        version={conflict?.version ?? post.version}
        currentImage={post.imageHash ? { url: postImageUrl(post), alt: post.imageAlt } : null}
        submitLabel="Save"
        pendingLabel="Saving…"
        cancelHref={`/${post.id}`}
      />
    </main>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
