import * as React from 'react';

import { Box, Typography } from '@strapi/design-system';

/** An error about a whole list (too long, a repeated entry), shown above its rows. */
export const ListError = ({ error }: { error: unknown }) =>
  typeof error === 'string' ? (
    <Typography variant="pi" textColor="danger600" role="alert">
      {error}
    </Typography>
  ) : null;

/** What a list without rows says in their place. */
export const EmptyList = ({ children }: { children: React.ReactNode }) => (
  <Box background="neutral100" hasRadius padding={5}>
    <Typography textColor="neutral600">{children}</Typography>
  </Box>
);
