import { MODULES } from '../../src/modules';
import { describeEachDatabase } from '../helpers/databases';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { notesModule } from '../fixtures/notes/notes.module';

// A team's own module (test/fixtures/notes: a type with an owner rule, a resolver, a service,
// a table and its migration) joins the app with one line, and nothing else changes.
describeEachDatabase('adding a module', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect, { modules: [...MODULES, notesModule] });
  });
  afterAll(() => server.close());

  const post = async (query: string, token: string) => {
    const res = await server.post({ query }, { authorization: `Bearer ${token}` });
    return (await res.json()) as {
      data: Record<string, unknown>;
      errors?: Array<{ path: unknown; extensions: unknown }>;
    };
  };

  it('migrates its table, serves its fields, and applies its owner rule', async () => {
    const ann = await server.signIn('ann@example.com');
    const bob = await server.signIn('bob@example.com');
    await post('mutation { addNote(text: "ann’s note") { id } }', ann.accessToken);

    const asBob = await post('{ notesList { id text } }', bob.accessToken);
    expect(asBob.data.notesList).toEqual([{ id: expect.any(String), text: null }]);
    expect(asBob.errors).toEqual([
      {
        message: expect.any(String),
        locations: expect.any(Array),
        path: ['notesList', 0, 'text'],
        extensions: { code: 'FORBIDDEN', requires: ['SELF', 'ADMIN'] },
      },
    ]);
    const asAnn = await post('{ notesList { text } }', ann.accessToken);
    expect(asAnn).toEqual({ data: { notesList: [{ text: 'ann’s note' }] } });
  });
});
