import { getFormProps, getInputProps, getTextareaProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { Form, Link, useFetcher, useNavigation } from "@remix-run/react";
import { useEffect, useMemo, useRef, useState, type MouseEvent } from "react";
import type { z } from "zod";
import { Field, FormErrors } from "~/components/field";
import { UnsavedChangesGuard } from "~/components/unsaved-changes";
import type { PostFormReply } from "~/utils/post-form.server";
import { PostFormSchema } from "~/utils/post-schema";
import { IMAGE_TYPES, TITLE_MAX_LENGTH } from "~/utils/rules";

type PostFormProps = {
  /** The action's answer when the form came back (errors, a preview, a conflict). */
  reply?: PostFormReply;
  defaultValues: { title: string; text: string; imageAlt: string };
  /** The version the edit started from; the server refuses the save if it is stale. */
  version?: number;
  currentImage?: { url: string; alt: string } | null;
  submitLabel: string;
  pendingLabel: string;
  cancelHref: string;
};

/**
 * The new-post and edit forms: a plain multipart POST, so it works without JavaScript. With
 * it, conform checks each field as it is left (the same schema as the server), the image is
 * checked before it is uploaded and kept when the form comes back, the preview updates as
 * you type, and leaving with unsaved changes asks first.
 */
export function PostForm({ reply, defaultValues, version, currentImage, submitLabel, pendingLabel, cancelHref }: PostFormProps) {
  const navigation = useNavigation();
  const pending = navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
  const [form, fields] = useForm<z.input<typeof PostFormSchema>>({
    id: "post-form",
    lastResult: navigation.state === "idle" ? reply?.result : undefined,
    defaultValue: defaultValues,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: PostFormSchema }),
  });
  const formRef = useRef<HTMLFormElement>(null);
  const [dirty, setDirty] = useState(false);
  const preview = usePreview(formRef, reply?.preview ?? null);
  const { key: titleKey, ...titleProps } = getInputProps(fields.title, { type: "text" });
  // What the schema counts: the title without the spaces around it.
  const [titleLength, setTitleLength] = useState(() => (fields.title.initialValue ?? "").trim().length);
  const { key: textKey, ...textProps } = getTextareaProps(fields.text, { ariaDescribedBy: "text-hint" });
  const { key: altKey, ...altProps } = getInputProps(fields.imageAlt, { type: "text", ariaDescribedBy: "imageAlt-hint" });

  return (
    <Form
      method="post"
      encType="multipart/form-data"
      ref={formRef}
      {...getFormProps(form)}
      className="post-form"
      onInput={() => setDirty(true)}
      onChange={() => setDirty(true)}
    >
      <UnsavedChangesGuard when={dirty && !pending} />
      <FormErrors id={form.errorId} errors={form.errors} />
      {version !== undefined ? <input type="hidden" name="version" value={version} /> : null}

      {/* No maxLength on the fields: it would cut a pasted text short without a word. The
          schema refuses what is too long, with the API's message, and the title counts down. */}
      <Field htmlFor={fields.title.id} label="Title" errors={fields.title.errors} errorId={fields.title.errorId}>
        <input
          key={titleKey}
          {...titleProps}
          aria-describedby={[titleProps["aria-describedby"], "title-count"].filter(Boolean).join(" ")}
          className="title-input"
          required
          autoComplete="off"
          onInput={(event) => setTitleLength(event.currentTarget.value.trim().length)}
        />
        <CharactersLeft id="title-count" length={titleLength} limit={TITLE_MAX_LENGTH} />
      </Field>

      <Field
        htmlFor={fields.text.id}
        label="Text"
        hintId="text-hint"
        hint={
          <>
            Markdown works: <code>**bold**</code>, <code>_italic_</code>, <code>[a link](https://…)</code>, <code>- lists</code>,{" "}
            <code>&gt; quotes</code>, <code>`code`</code>, tables and <code>- [ ] tasks</code>.
          </>
        }
        errors={fields.text.errors}
        errorId={fields.text.errorId}
      >
        <textarea key={textKey} {...textProps} rows={16} onInput={preview.textChanged} />
      </Field>

      {preview.html !== null ? (
        <section className="preview" aria-labelledby="preview-heading" aria-live="polite" aria-busy={preview.loading}>
          <div className="preview-header">
            <h2 id="preview-heading">Preview</h2>
            {preview.live ? (
              <button type="button" className="link-button" onClick={preview.close}>
                Close preview
              </button>
            ) : null}
          </div>
          {preview.html ? (
            <div className="prose" dangerouslySetInnerHTML={{ __html: preview.html }} />
          ) : (
            <p className="hint">Nothing to preview yet: write some text.</p>
          )}
        </section>
      ) : null}

      <ImageFields
        currentImage={currentImage ?? null}
        removeField={(() => {
          const { key, ...props } = getInputProps(fields.removeImage, { type: "checkbox" });
          return <input key={key} {...props} />;
        })()}
        removeId={fields.removeImage.id}
        altField={
          <Field htmlFor={fields.imageAlt.id} label="Image description" hintId="imageAlt-hint" hint="What the image shows, for people who cannot see it (alt text)." errors={fields.imageAlt.errors} errorId={fields.imageAlt.errorId}>
            <input key={altKey} {...altProps} autoComplete="off" />
          </Field>
        }
        name={fields.image.name}
        inputId={fields.image.id}
        errors={fields.image.errors}
        errorId={fields.image.errorId}
        imageNotKept={reply?.imageNotKept ?? false}
        onFileChosen={() => form.validate({ name: fields.image.name })}
      />

      <div className="form-actions">
        <button type="submit" name="intent" value="save" disabled={pending} aria-busy={pending}>
          {pending ? pendingLabel : submitLabel}
        </button>
        {/* Without JavaScript this sends the form and it comes back with the preview. */}
        <button type="submit" name="intent" value="preview" formNoValidate className="secondary" onClick={preview.open}>
          Preview
        </button>
        <Link to={cancelHref} className="cancel">
          Cancel
        </Link>
      </div>
    </Form>
  );
}

/**
 * The preview: without JavaScript it is the action's answer to the Preview button; with it,
 * the same action asked by a fetcher (nothing is saved, no image is sent), again as the text
 * changes, a moment after typing stops.
 */
function usePreview(formRef: React.RefObject<HTMLFormElement | null>, fromServer: string | null) {
  const fetcher = useFetcher<PostFormReply>({ key: "post-preview" });
  const [live, setLive] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>();

  function request() {
    const form = formRef.current;
    if (!form) return;
    const body = new FormData(form);
    body.delete("image");
    body.set("intent", "preview");
    fetcher.submit(body, { method: "post", encType: "multipart/form-data" });
  }

  useEffect(() => () => clearTimeout(timer.current), []);

  return {
    live,
    loading: fetcher.state !== "idle",
    html: live ? (fetcher.data?.preview ?? "") : fromServer,
    open(event: MouseEvent<HTMLButtonElement>) {
      event.preventDefault();
      setLive(true);
      request();
    },
    close() {
      setLive(false);
    },
    textChanged() {
      if (!live) return;
      clearTimeout(timer.current);
      timer.current = setTimeout(request, 500);
    },
  };
}

const TYPE_NAMES = "PNG, JPEG, WebP or GIF";

/**
 * The image part of the form, last in the page: the image, then its description (a body cut
 * off at 16 MB, a file no browser with JavaScript sends, loses the file and the description,
 * never the title or the text). With JavaScript, the chosen file is shown, checked at once (the
 * schema's size and type rules), and put back into the input if the form is redrawn, so a
 * form that comes back with an error (or a 409) keeps it.
 */
function ImageFields({
  currentImage,
  removeField,
  removeId,
  altField,
  name,
  inputId,
  errors,
  errorId,
  imageNotKept,
  onFileChosen,
}: {
  currentImage: { url: string; alt: string } | null;
  removeField: React.ReactNode;
  removeId: string;
  altField: React.ReactNode;
  name: string;
  inputId: string;
  errors?: string[];
  errorId: string;
  imageNotKept: boolean;
  onFileChosen: () => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const chosenUrl = useMemo(() => (file && file.type.startsWith("image/") ? URL.createObjectURL(file) : null), [file]);
  useEffect(() => () => (chosenUrl ? URL.revokeObjectURL(chosenUrl) : undefined), [chosenUrl]);
  // Put the chosen file back when the input was drawn anew without it.
  useEffect(() => {
    const element = input.current;
    if (!element || !file || element.files?.length) return;
    try {
      const transfer = new DataTransfer();
      transfer.items.add(file);
      element.files = transfer.files;
    } catch {
      // No DataTransfer (very old browsers): the message below asks to choose it again.
    }
  });
  const invalid = Boolean(errors?.length);
  const describedBy = [invalid ? errorId : null, `${inputId}-hint`, imageNotKept && !file ? `${inputId}-again` : null].filter(Boolean).join(" ");

  return (
    <fieldset className="image-fields">
      <legend>Image</legend>
      {chosenUrl ? (
        <figure className="image-preview">
          <img src={chosenUrl} alt="Preview of the chosen image" />
          <figcaption>
            {file?.name} ({formatBytes(file?.size ?? 0)}), not uploaded yet
          </figcaption>
        </figure>
      ) : currentImage ? (
        <figure className="image-preview">
          <img src={currentImage.url} alt={currentImage.alt || "The post's current image"} />
          <figcaption>The current image. Choose a file below to replace it.</figcaption>
        </figure>
      ) : null}
      {currentImage ? (
        <div className="checkbox">
          {removeField}
          <label htmlFor={removeId}>Remove the current image (a new image chosen below replaces it anyway)</label>
        </div>
      ) : null}
      <div className="field">
        <label htmlFor={inputId}>{currentImage ? "Replace with a new image" : "Choose an image"}</label>
        <p id={`${inputId}-hint`} className="hint">
          {TYPE_NAMES}, up to 10 MB. Large photos are made smaller for the page.
        </p>
        {imageNotKept && !file ? (
          <p id={`${inputId}-again`} className="warning">
            If you chose an image, choose it again: browsers do not keep a chosen file when a form comes back.
          </p>
        ) : null}
        <input
          ref={input}
          id={inputId}
          name={name}
          type="file"
          className="file-input"
          accept={IMAGE_TYPES.join(",")}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          onChange={(event) => {
            setFile(event.currentTarget.files?.[0] ?? null);
            onFileChosen();
          }}
        />
        {invalid ? (
          <p id={errorId} className="field-error">
            {errors?.join(" ")}
          </p>
        ) : null}
      </div>
      {altField}
    </fieldset>
  );
}

function formatBytes(bytes: number) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** "12 characters left" as a field nears its limit, "5 characters too many" past it. */
function CharactersLeft({ id, length, limit }: { id: string; length: number; limit: number }) {
  const left = limit - length;
  const near = left <= Math.min(40, limit / 5);
  return (
    <p id={id} className={`hint char-count${left < 0 ? " over" : ""}`} aria-live="polite">
      {!near ? null : left >= 0 ? `${left} character${left === 1 ? "" : "s"} left` : `${-left} character${left === -1 ? "" : "s"} too many (at most ${limit})`}
    </p>
  );
}
