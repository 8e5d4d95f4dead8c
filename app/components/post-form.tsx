import { Form, useNavigation } from "@remix-run/react";
import { useEffect, useId, useState, type ChangeEvent } from "react";
import { Field } from "~/components/field";
import { TEXT_MAX_LENGTH, TITLE_MAX_LENGTH } from "~/utils/rules";
import type { FieldErrors } from "~/utils/validation";

type PostFormProps = {
  defaultValues: { title: string; text: string };
  errors?: FieldErrors<"title" | "text" | "image">;
  /** The version the edit started from; the server refuses the save if it is stale. */
  version?: number;
  currentImageUrl?: string | null;
  submitLabel: string;
  pendingLabel: string;
};

/** The new-post and edit forms: plain multipart POST, so it works without JavaScript. */
export function PostForm({ defaultValues, errors, version, currentImageUrl, submitLabel, pendingLabel }: PostFormProps) {
  const navigation = useNavigation();
  const pending = navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
  const id = useId();
  const [preview, setPreview] = useState<string | null>(null);

  // Release the object URL of the previous preview.
  useEffect(() => () => {
    if (preview) URL.revokeObjectURL(preview);
  }, [preview]);

  function showPreview(event: ChangeEvent<HTMLInputElement>) {
    const file = event.currentTarget.files?.[0];
    setPreview(file ? URL.createObjectURL(file) : null);
  }

  return (
    <Form method="post" encType="multipart/form-data" className="stack" aria-describedby={errors?.form ? `${id}-form` : undefined}>
      {errors?.form ? (
        <p id={`${id}-form`} className="error" role="alert">
          {errors.form}
        </p>
      ) : null}
      {version !== undefined ? <input type="hidden" name="version" value={version} /> : null}
      <Field id={`${id}-title`} label="Title" error={errors?.title}>
        <input
          id={`${id}-title`}
          name="title"
          required
          maxLength={TITLE_MAX_LENGTH}
          defaultValue={defaultValues.title}
          aria-invalid={errors?.title ? true : undefined}
          aria-describedby={errors?.title ? `${id}-title-error` : undefined}
        />
      </Field>
      <Field id={`${id}-text`} label="Text" error={errors?.text}>
        <textarea
          id={`${id}-text`}
          name="text"
          rows={12}
          maxLength={TEXT_MAX_LENGTH}
          defaultValue={defaultValues.text}
          aria-invalid={errors?.text ? true : undefined}
          aria-describedby={errors?.text ? `${id}-text-error` : undefined}
        />
      </Field>
      <Field id={`${id}-image`} label="Image (PNG, JPEG, WebP or GIF, up to 10 MB)" error={errors?.image}>
        <input
          id={`${id}-image`}
          name="image"
          type="file"
          accept="image/png,image/jpeg,image/webp,image/gif"
          onChange={showPreview}
          aria-invalid={errors?.image ? true : undefined}
          aria-describedby={errors?.image ? `${id}-image-error` : undefined}
        />
      </Field>
      {preview ? (
        <figure className="image-preview">
          <img src={preview} alt="Preview of the chosen image" />
          <figcaption>The image you chose (not uploaded yet)</figcaption>
        </figure>
      ) : currentImageUrl ? (
        <figure className="image-preview">
          <img src={currentImageUrl} alt="The post's current image" />
          <figcaption>Current image: choose a file to replace it</figcaption>
        </figure>
      ) : null}
      <div>
        <button type="submit" disabled={pending} aria-busy={pending}>
          {pending ? pendingLabel : submitLabel}
        </button>
      </div>
    </Form>
  );
}
