import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useViewer } from '@tollgate/client/react';
import { useState, type FormEvent } from 'react';
import { PageHeading } from '../components/page-heading';
import { ProblemAlert } from '../components/problem-alert';
import { QueryProblem } from '../components/query-problem';
import { TextField } from '../components/text-field';
import { describeError, type ProblemDescription } from '../errors/describe-error';
import { graphql } from '../generated';

// Public fields only: `reviewNotes` is for the author and EDITORs, and the list is everyone's.
const PublishedArticlesQuery = graphql(`
  query PublishedArticles {
    articles(status: PUBLISHED, first: 20) {
      edges {
        node {
          id
          title
          body
          publishedAt
          author {
            id
            displayName
          }
        }
      }
    }
  }
`);

const ArticlesInReviewQuery = graphql(`
  query ArticlesInReview {
    articles(status: IN_REVIEW, first: 20) {
      edges {
        node {
          id
          title
          revision
          author {
            id
            displayName
          }
        }
      }
    }
  }
`);

const LiveArticlesSubscription = graphql(`
  subscription LiveArticles {
    articlePublished {
      id
      title
      body
      publishedAt
      author {
        id
        displayName
      }
    }
  }
`);

const WriteArticleMutation = graphql(`
  mutation WriteArticle($input: CreateArticleInput!) {
    createArticle(input: $input) {
      id
    }
  }
`);

const SubmitForReviewMutation = graphql(`
  mutation SubmitForReview($id: ID!) {
    submitArticle(id: $id) {
      id
      status
    }
  }
`);

const PublishReviewedMutation = graphql(`
  mutation PublishReviewed($id: ID!, $revision: Int!) {
    publishArticle(id: $id, revision: $revision) {
      id
      status
    }
  }
`);

interface ListedArticle {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly author: { readonly displayName: string };
}

export function ArticlesPage() {
  const viewer = useViewer();
  const isEditor = viewer?.roles.some((role) => role === 'EDITOR' || role === 'ADMIN') ?? false;
  const { data, error, refetch } = useQuery(PublishedArticlesQuery, { fetchPolicy: 'cache-and-network' });
  // Articles heard live, newest first; the query's list stays as it was loaded.
  const [live, setLive] = useState<ListedArticle[]>([]);
  const [announcement, setAnnouncement] = useState('');
  useSubscription(LiveArticlesSubscription, {
    onData: ({ data: event }) => {
      const article = event.data?.articlePublished;
      if (!article) return;
      setLive((heard) => [article, ...heard.filter((other) => other.id !== article.id)]);
      setAnnouncement(`New article: ${article.title}`);
    },
  });

  const loaded = data?.articles.edges.map((edge) => edge.node) ?? [];
  const liveIds = new Set(live.map((article) => article.id));
  const articles = [...live, ...loaded.filter((article) => !liveIds.has(article.id))];

  return (
    <section>
      <PageHeading>Articles</PageHeading>
      <p aria-live="polite" className="visually-hidden">
        {announcement}
      </p>
      {error ? <QueryProblem error={error} retry={() => void refetch()} /> : null}
      {data || live.length > 0 ? (
        articles.length > 0 ? (
          <ul className="list" aria-label="Published articles">
            {articles.map((article) => (
              <li key={article.id} className="card">
                <h2>{article.title}</h2>
                <p>By {article.author.displayName}</p>
                <p>{article.body}</p>
              </li>
            ))}
          </ul>
        ) : (
          <p>No articles are published yet.</p>
        )
      ) : !error ? (
        <p aria-live="polite">Loading articles…</p>
      ) : null}
      <WriteArticleForm />
      {isEditor ? <InReview /> : null}
    </section>
  );
}

function WriteArticleForm() {
  const [write] = useMutation(WriteArticleMutation);
  const [submit] = useMutation(SubmitForReviewMutation, { refetchQueries: ['ArticlesInReview'] });
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemDescription | null>(null);
  const [status, setStatus] = useState('');

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    setStatus('');
    try {
      const created = await write({ variables: { input: { title, body } } });
      const id = created.data?.createArticle.id;
      if (id) await submit({ variables: { id } });
      setTitle('');
      setBody('');
      setStatus('Your article was sent for review. An editor will publish it.');
    } catch (caught) {
      setProblem(describeError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={(event) => void onSubmit(event)} aria-labelledby="write-article-heading">
      <h2 id="write-article-heading">Write an article</h2>
      <ProblemAlert problem={problem} />
      <TextField
        label="Title"
        value={title}
        onChange={(event) => setTitle(event.target.value)}
        required
        maxLength={200}
      />
      <div className="field">
        <label htmlFor="article-body">Text</label>
        <textarea id="article-body" value={body} onChange={(event) => setBody(event.target.value)} required rows={6} />
      </div>
      <button type="submit" disabled={busy}>
        Submit for review
      </button>
      <p role="status" className="success">
        {status}
      </p>
    </form>
  );
}

function InReview() {
  const { data, error, refetch } = useQuery(ArticlesInReviewQuery, { fetchPolicy: 'cache-and-network' });
  const [publish] = useMutation(PublishReviewedMutation, { refetchQueries: ['ArticlesInReview'] });
  const [problem, setProblem] = useState<ProblemDescription | null>(null);
  const [status, setStatus] = useState('');

  async function publishOne(id: string, revision: number, title: string) {
    setProblem(null);
    try {
      await publish({ variables: { id, revision } });
      setStatus(`“${title}” was published.`);
    } catch (caught) {
      setProblem(describeError(caught));
    }
  }

  const pending = data?.articles.edges.map((edge) => edge.node) ?? [];
  return (
    <section className="card" aria-labelledby="in-review-heading">
      <h2 id="in-review-heading">In review</h2>
      <ProblemAlert problem={problem} />
      <p role="status" className="success">
        {status}
      </p>
      {error ? <QueryProblem error={error} retry={() => void refetch()} /> : null}
      {data ? (
        pending.length > 0 ? (
          <ul className="list" aria-label="Articles in review">
            {pending.map((article) => (
              <li key={article.id}>
                <span>
                  {article.title} by {article.author.displayName}
                </span>{' '}
                <button
                  type="button"
                  aria-label={`Publish “${article.title}”`}
                  onClick={() => void publishOne(article.id, article.revision, article.title)}
                >
                  Publish
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p>Nothing is waiting for review.</p>
        )
      ) : null}
    </section>
  );
}
