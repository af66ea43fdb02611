import { MantineProvider, createTheme } from '@mantine/core';
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { Navigate, RouterProvider, createBrowserRouter } from 'react-router';
import { ApiError, type ApiClient } from './api/client';
import { ApiProvider } from './api/context';
import { currentUserKey } from './api/session';
import { Layout } from './components/Layout';
import { I18nProvider } from './i18n/context';
import { ArtifactPage } from './pages/ArtifactPage';
import { LoginPage } from './pages/LoginPage';
import { MembersTab } from './pages/MembersTab';
import { ProjectPage } from './pages/ProjectPage';
import { ProjectsPage } from './pages/ProjectsPage';
import { RepositoriesTab } from './pages/RepositoriesTab';
import { RepositoryPage } from './pages/RepositoryPage';
import { RobotsTab } from './pages/RobotsTab';

const theme = createTheme({ primaryColor: 'blue', defaultRadius: 'sm' });

export const routes = [
  { path: '/login', element: <LoginPage /> },
  {
    element: <Layout />,
    children: [
      { path: '/', element: <Navigate to="/projects" replace /> },
      { path: '/projects', element: <ProjectsPage /> },
      {
        path: '/projects/:projectId',
        element: <ProjectPage />,
        children: [
          { index: true, element: <Navigate to="repositories" replace /> },
          { path: 'repositories', element: <RepositoriesTab /> },
          { path: 'members', element: <MembersTab /> },
          { path: 'robots', element: <RobotsTab /> },
          { path: 'repositories/:repository', element: <RepositoryPage /> },
          { path: 'repositories/:repository/artifacts/:digest', element: <ArtifactPage /> },
        ],
      },
      { path: '*', element: <Navigate to="/projects" replace /> },
    ],
  },
];

/** A session that ends (expiry, logout elsewhere) sends every page back to the login. */
export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    defaultOptions: { queries: { retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2, refetchOnWindowFocus: false } },
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (error instanceof ApiError && error.status === 401 && query.queryHash !== JSON.stringify(currentUserKey)) void client.invalidateQueries({ queryKey: currentUserKey });
      },
    }),
  });
  return client;
}

export function App({ api }: { api: ApiClient }) {
  const [queryClient] = useState(createQueryClient);
  const [router] = useState(() => createBrowserRouter(routes));
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <QueryClientProvider client={queryClient}>
        <ApiProvider client={api}>
          <I18nProvider>
            <RouterProvider router={router} />
          </I18nProvider>
        </ApiProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
