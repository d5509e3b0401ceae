/** Where the API's own description is served. */
export const OPENAPI_PATH = '/cgi-bin/luci/sdewan/openapi.json';
export const DOCS_PATH = '/cgi-bin/luci/sdewan/docs';
