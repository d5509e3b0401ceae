/**
 * An error that becomes an HTTP answer `{"message": ...}` with its status. Its message is
 * what the client reads; it must never carry a request value that is secret.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string) => new ApiError(400, message);
export const notFound = (message = 'Not found') => new ApiError(404, message);
export const conflict = (message = 'Conflict') => new ApiError(409, message);
/** A referenced object does not exist (the Lua original's 428 for an IPsec proposal). */
export const preconditionRequired = (message: string) => new ApiError(428, message);

/** A condition of the request (`If-Match`) does not hold: nothing was written. */
export const preconditionFailed = (message: string) => new ApiError(412, message);
/** A body of a content type the path does not take (a PATCH that is not a merge patch). */
export const unsupportedMediaType = (message: string) => new ApiError(415, message);

/** `Field[members.0.metric] checked failed: ...`: the Lua original's wording, naming the field. */
export const fieldMessage = (field: string, message: string) => `Field[${field}] checked failed: ${message}`;

/** An invalid field: 400 (or `status`) with a message that names it. */
export const fieldError = (field: string, message: string, status = 400) => new ApiError(status, fieldMessage(field, message));

/** Too many or too few path segments (the Lua original's message). */
export const BAD_URI = 'Bad request URI';
