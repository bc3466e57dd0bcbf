// The Request class handed to openapi-fetch. openapi-fetch builds one per call only to pass it to
// the transport, which sends its parts through fetch (and fetch builds its own Request). A Node
// Request costs an AbortSignal, a header list and a body stream: about as much as the rest of the
// SDK's client-side work on a loopback request. This stand-in keeps the parts as they are given.
//
// Middleware on the raw client sees the same surface (url, method, headers, signal, body readers,
// clone) and may still return a real Request: `instanceof OutgoingRequest` accepts both, and the
// transport sends either.

const utf8 = new TextEncoder();

type BodyInit = NonNullable<RequestInit["body"]>;
type RequestRedirect = NonNullable<RequestInit["redirect"]>;

export interface OutgoingRequestInit {
  method?: string;
  headers?: RequestInit["headers"];
  body?: BodyInit | null;
  signal?: AbortSignal | null;
  redirect?: RequestRedirect;
}

export class OutgoingRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly signal: AbortSignal | undefined;
  readonly redirect: RequestRedirect;
  readonly #body: BodyInit | null;
  #used = false;

  constructor(input: string | URL, init: OutgoingRequestInit = {}) {
    this.url = String(input);
    this.method = (init.method ?? "GET").toUpperCase();
    // openapi-fetch passes a Headers it made for this call alone; anything else is copied.
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    this.signal = init.signal ?? undefined;
    this.redirect = init.redirect ?? "follow";
    this.#body = init.body ?? null;
  }

  /** A real Request, or one of these. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return (typeof value === "object" && value !== null && #body in value) || value instanceof Request;
  }

  /** The body as given (a string for JSON), for the transport; null without a body. */
  static bodyOf(request: OutgoingRequest): BodyInit | null {
    return request.#body;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  clone(): OutgoingRequest {
    return new OutgoingRequest(this.url, {
      method: this.method,
      headers: new Headers(this.headers),
      body: this.#body,
      signal: this.signal,
      redirect: this.redirect,
    });
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.arrayBuffer());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    if (this.#used) throw new TypeError("Body is unusable: Body has already been read");
    this.#used = true;
    const body = this.#body;
    if (body === null) return new ArrayBuffer(0);
    if (typeof body === "string") return utf8.encode(body).buffer as ArrayBuffer;
    return new Response(body).arrayBuffer();
  }
}
