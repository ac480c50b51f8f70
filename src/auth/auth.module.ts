import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { BearerAuthGuard } from './bearer-auth.guard';
import { loadUsers, USER_DIRECTORY, UserDirectory } from './users';

@Global()
@Module({
  providers: [
    { provide: USER_DIRECTORY, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new UserDirectory(loadUsers(config)) },
    { provide: APP_GUARD, useClass: BearerAuthGuard },
  ],
  exports: [USER_DIRECTORY],
})
export class AuthModule {}
