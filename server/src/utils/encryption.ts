import type { Core } from '@strapi/strapi';

/** Strapi admin's AES-256-GCM service, keyed from `admin.secrets.encryptionKey`: null when the key is missing or wrong. */
export interface EncryptionService {
  encrypt(value: string): string | null;
  decrypt(value: string): string | null;
}

export const encryptionOf = (strapi: Core.Strapi) => strapi.service('admin::encryption') as unknown as EncryptionService;
