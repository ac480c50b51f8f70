import { Injectable, OnModuleInit, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { match } from 'path-to-regexp';

interface Route {
  method: string;
  matches: (path: string) => boolean;
}

const paths = (value: unknown): string[] => (Array.isArray(value) ? value : [value ?? '']).map(String);

/**
 * Every route the controllers declare, so that a request whose path exists but whose method does
 * not gets 405 with an Allow header (RFC 9110 §15.5.6) instead of 404. Read from Nest's own route
 * metadata, so it holds whatever HTTP adapter serves the routes.
 */
@Injectable()
export class RouteTable implements OnModuleInit {
  private routes: Route[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    this.routes = this.discovery.getControllers().flatMap(({ metatype }) => {
      if (!metatype) return [];
      const prototype = metatype.prototype as Record<string, unknown>;
      return paths(Reflect.getMetadata(PATH_METADATA, metatype)).flatMap((base) =>
        this.scanner.getAllMethodNames(prototype).flatMap((name) => {
          const handler = prototype[name] as object;
          const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
          if (method === undefined) return [];
          return paths(Reflect.getMetadata(PATH_METADATA, handler)).map((path) => ({
            method: RequestMethod[method],
            matches: match(`/${base}/${path}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1'), { decode: false }) as (p: string) => boolean,
          }));
        }),
      );
    });
  }

  /** The methods `path` has (HEAD wherever GET is), or [] when no route has this path. */
  allowedMethods(path: string): string[] {
    const methods = new Set(this.routes.filter((route) => route.matches(path)).map((route) => route.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  }
}
