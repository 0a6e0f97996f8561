//! The one error shape that crosses IPC, `ErrorBody {code, message, field?, params?}`,
//! and how a screen finds the message for one of its fields. Messages are built from
//! the code and parameters by `./messages`.

import type { ErrorBody, ErrorCode, ErrorParams } from "../types";
import { errorMessage } from "./messages";

export { sentence } from "./messages";

/** A rejected IPC call: an `Error` that carries the ErrorBody's fields. */
export class IpcError extends Error implements ErrorBody {
  readonly code: ErrorCode;
  readonly field?: string | null;
  readonly params?: ErrorParams;
  constructor(body: ErrorBody) {
    super(body.message);
    this.name = "IpcError";
    this.code = body.code;
    this.field = body.field ?? null;
    this.params = body.params;
  }
}

export function isErrorBody(e: unknown): e is ErrorBody {
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as { code?: unknown }).code === "string" &&
    typeof (e as { message?: unknown }).message === "string"
  );
}

/** Whatever a rejected IPC call or a thrown value carried, as an ErrorBody. */
export function toErrorBody(e: unknown): ErrorBody {
  if (isErrorBody(e)) return e;
  if (e instanceof Error) return { code: "unknown", message: e.message };
  if (typeof e === "string") return { code: "unknown", message: e };
  return { code: "unknown", message: "Something went wrong." };
}

/** The message for a person of whatever a rejected call or a thrown value carried. */
export function messageOf(e: unknown, locale?: string): string {
  return errorMessage(toErrorBody(e), locale);
}

/**
 * Errors by field. `aliases` maps a back-end field name onto the screen's own field key,
 * e.g. `{ limit: "spending_limit" }`. An error with no field (or a field the screen does
 * not show) lands under `_form`, so it is never lost.
 */
export type FieldErrors = Record<string, string>;

export function fieldErrorsOf(
  e: unknown,
  shownFields: readonly string[],
  aliases: Record<string, string> = {},
): FieldErrors {
  const body = toErrorBody(e);
  const raw = body.field ?? "";
  const field = aliases[raw] ?? raw;
  const key = field && shownFields.includes(field) ? field : "_form";
  return { [key]: errorMessage(body) };
}
