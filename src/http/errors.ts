/** An error that becomes an HTTP answer `{"message": ...}` with its status. */
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
/** A referenced IPsec proposal does not exist (the Lua original's 428). */
export const preconditionRequired = (message: string) => new ApiError(428, message);
