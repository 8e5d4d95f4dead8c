import type { ReactNode } from "react";

/**
 * A labelled form control with its hint and its error message. The control itself points
 * at both with aria-describedby (conform's getInputProps does it for the error).
 */
export function Field({
  htmlFor,
  label,
  hint,
  hintId,
  errors,
  errorId,
  className,
  children,
}: {
  htmlFor: string;
  label: string;
  hint?: ReactNode;
  hintId?: string;
  errors?: string[] | null;
  errorId?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={`field${className ? ` ${className}` : ""}`}>
      <label htmlFor={htmlFor}>{label}</label>
      {hint ? (
        <p id={hintId} className="hint">
          {hint}
        </p>
      ) : null}
      {children}
      {errors?.length ? (
        <p id={errorId} className="field-error">
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

/** The message about a form as a whole (conform's form.errors), announced when it appears. */
export function FormErrors({ id, errors }: { id?: string; errors?: string[] | null }) {
  if (!errors?.length) return null;
  return (
    <p id={id} className="form-error" role="alert">
      {errors.join(" ")}
    </p>
  );
}
