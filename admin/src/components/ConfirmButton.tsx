import * as React from 'react';

import { Button, Dialog, type ButtonProps } from '@strapi/design-system';
import { ConfirmDialog } from '@strapi/strapi/admin';

interface ConfirmButtonProps {
  /** The button's text; the dialog's title too. */
  label: string;
  /** What confirming does, said in the dialog. */
  description: string;
  onConfirm: () => Promise<void>;
  variant?: ButtonProps['variant'];
  size?: ButtonProps['size'];
}

/** A button whose action runs only once confirmed in a dialog; it stays busy until the action ends. */
export const ConfirmButton = ({ label, description, onConfirm, variant = 'danger-light', size = 'S' }: ConfirmButtonProps) => {
  const [running, setRunning] = React.useState(false);

  const confirm = async () => {
    setRunning(true);
    try {
      await onConfirm();
    } finally {
      setRunning(false);
    }
  };

  return (
    <Dialog.Root>
      <Dialog.Trigger>
        <Button type="button" variant={variant} size={size} loading={running}>
          {label}
        </Button>
      </Dialog.Trigger>
      <ConfirmDialog title={label} onConfirm={confirm}>
        {description}
      </ConfirmDialog>
    </Dialog.Root>
  );
};
