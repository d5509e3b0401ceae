import type { FastifyReply } from 'fastify';

/** The one 405 answer: `{"message": "Method Not Allowed"}` with the methods the path serves in `Allow`. */
export function methodNotAllowed(reply: FastifyReply, allow: readonly string[]): FastifyReply {
  return reply.code(405).header('Allow', allow.join(', ')).send({ message: 'Method Not Allowed' });
}
