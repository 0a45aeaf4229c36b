import { PLUGIN_ID } from '../pluginId';

/** The id of one of this plugin's messages (translations/*.json keys are registered with this prefix). */
export const getTranslation = (id: string) => `${PLUGIN_ID}.${id}`;
