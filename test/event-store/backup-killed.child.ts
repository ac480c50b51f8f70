import { backupStore } from '../../src/event-store/store-backup.cli';

// Backs up argv[2] to argv[3] and kills itself with SIGKILL after the first step of the copy.
const [source, target] = process.argv.slice(2);
let steps = 0;
void backupStore(source, target, {
  onProgress: () => {
    if (++steps === 2) process.kill(process.pid, 'SIGKILL');
  },
});
