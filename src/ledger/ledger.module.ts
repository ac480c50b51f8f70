import { Logger, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { LedgerController } from './ledger.controller';
import { Ledger, SIGNING_KEY } from './ledger';
import { loadSigningKey } from './signing-key';

/** Hash-chained article streams' signed checkpoints and proofs (docs/api.md "Ledger"). */
@Module({
  controllers: [LedgerController],
  providers: [
    {
      provide: SIGNING_KEY,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => loadSigningKey(config, (line) => new Logger('Ledger').warn(line)),
    },
    Ledger,
  ],
})
export class LedgerModule {}
