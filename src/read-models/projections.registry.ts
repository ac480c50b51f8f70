import { articlesProjection } from '../../projections/articles.projection';
import { asOfProjection } from '../../projections/as-of.projection';
import { correctionsProjection } from '../../projections/corrections.projection';
import { quotesProjection } from '../../projections/quotes.projection';
import { Projection } from '../projection-kit/projection';

/** Every projection the runtime runs, by name. */
export const PROJECTIONS: readonly Projection[] = [articlesProjection, quotesProjection, correctionsProjection, asOfProjection];
