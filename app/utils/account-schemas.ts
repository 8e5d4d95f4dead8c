import { z } from "zod";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, TOKEN_NAME_MAX_LENGTH, USERNAME_PATTERN, USERNAME_RULE } from "~/utils/rules";
import { lineProblem, stringField } from "~/utils/validation";

// One schema per account form (sign up, log in, settings, API tokens), read by the
// route's action and, through conform, by the form in the browser.

const USERNAME_MESSAGE = `A username is ${USERNAME_RULE}.`;

const usernameSchema = stringField(USERNAME_MESSAGE)
  .transform((username) => username.trim())
  .refine((username) => USERNAME_PATTERN.test(username), USERNAME_MESSAGE);

const newPasswordSchema = stringField(`A password needs at least ${PASSWORD_MIN_LENGTH} characters.`)
  .min(PASSWORD_MIN_LENGTH, `A password needs at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(PASSWORD_MAX_LENGTH, `A password can have at most ${PASSWORD_MAX_LENGTH} characters.`);

/** Where to go afterwards: checked by safeRedirect when used. */
const redirectToSchema = z.string().optional();

export const SignupSchema = z
  .object({
    username: usernameSchema,
    password: newPasswordSchema,
    confirmPassword: stringField("Type the password a second time, to be sure it is the one you meant."),
    redirectTo: redirectToSchema,
  })
  .refine(({ password, confirmPassword }) => password === confirmPassword, {
    message: "The two passwords are not the same.",
    path: ["confirmPassword"],
    // Also when the username is wrong: every problem is reported at once.
    when: ({ value }) => {
      const { password, confirmPassword } = (value ?? {}) as { password?: unknown; confirmPassword?: unknown };
      return typeof password === "string" && password.length >= PASSWORD_MIN_LENGTH && typeof confirmPassword === "string";
    },
  });

export const LoginSchema = z.object({
  username: stringField("Enter your username.").transform((username) => username.trim()),
  password: stringField("Enter your password."),
  redirectTo: redirectToSchema,
});

export const PasswordChangeSchema = z.object({
  currentPassword: stringField("Enter your current password."),
  newPassword: newPasswordSchema,
});

export const LogoutEverywhereSchema = z.object({
  // "Log out everywhere" leaves API tokens alone unless this box is ticked.
  revokeTokens: z.boolean().optional(),
});

const NAME_NEEDED = "Give the token a name, such as the script that will use it.";

export const TokenNameSchema = z.object({
  name: stringField(NAME_NEEDED)
    .transform((name) => name.trim())
    .superRefine((name, context) => {
      const problem = !name
        ? NAME_NEEDED
        : name.length > TOKEN_NAME_MAX_LENGTH
          ? `A token name can have at most ${TOKEN_NAME_MAX_LENGTH} characters.`
          : lineProblem(name, "A token name");
      if (problem) context.addIssue({ code: "custom", message: problem });
    }),
});
