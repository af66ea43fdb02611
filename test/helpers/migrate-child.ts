// Runs Berth's migrations on the database URL given as the only argument, as a starting replica would.
import { openDatabase } from '../../src/db/index.js';

const db = openDatabase(process.argv[2] ?? '', { maxOpenConns: 2 });
try {
  await db.migrate();
  process.stdout.write('migrated\n');
} finally {
  await db.close();
}
