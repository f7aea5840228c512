<?php
/**
 * Plugin Name:       Boomerang Storefront
 * Plugin URI:        https://github.com/boomerang-dev/boomerang
 * Description:       Connects a WooCommerce store's storefront to Boomerang: prints the tracking snippet and reports cart changes of identified shoppers (WooCommerce has no cart webhooks).
 * Version:           1.0.0
 * Requires at least: 6.0
 * Requires PHP:      7.4
 * Author:            Boomerang
 * License:           Apache-2.0
 * Text Domain:       boomerang-storefront
 * WC requires at least: 7.0
 *
 * What it does (docs/platforms/woocommerce-install.md):
 *  1. Prints <script src="{Boomerang URL}/track.js" data-key="{public key}" async></script>
 *     on every storefront page (with the logged-in customer's email), and on product pages
 *     queues a product view for it (docs/storefront.md).
 *  2. Sends the cart server-side as a cart.updated event to {Boomerang URL}/track when it
 *     changes (woocommerce_add_to_cart, woocommerce_cart_item_removed,
 *     woocommerce_after_cart_item_quantity_update) and when a checkout email becomes known,
 *     as long as the shopper is identified (logged in, or typed an email at checkout).
 *     Requests are non-blocking: a slow or absent Boomerang never slows the store.
 *  3. Gives each cart a recovery link that puts its items back in the cart on any device.
 */

defined( 'ABSPATH' ) || exit;

const BOOMERANG_STOREFRONT_OPTION_URL = 'boomerang_storefront_url';
const BOOMERANG_STOREFRONT_OPTION_KEY = 'boomerang_storefront_key';
const BOOMERANG_STOREFRONT_SESSION_EMAIL = 'boomerang_email';
const BOOMERANG_STOREFRONT_RESTORE_ARG = 'boomerang_restore';
const BOOMERANG_STOREFRONT_SIG_ARG = 'boomerang_sig';
const BOOMERANG_STOREFRONT_MAX_LINES = 100;

/*
 * Settings: Settings → Boomerang. The Settings API form carries a nonce
 * (settings_fields) that options.php checks, and only manage_options users
 * reach it.
 */

add_action( 'admin_init', 'boomerang_storefront_register_settings' );
add_action( 'admin_menu', 'boomerang_storefront_admin_menu' );

function boomerang_storefront_register_settings() {
	register_setting(
		'boomerang_storefront',
		BOOMERANG_STOREFRONT_OPTION_URL,
		array(
			'type'              => 'string',
			'sanitize_callback' => 'boomerang_storefront_sanitize_url',
			'default'           => '',
		)
	);
	register_setting(
		'boomerang_storefront',
		BOOMERANG_STOREFRONT_OPTION_KEY,
		array(
			'type'              => 'string',
			'sanitize_callback' => 'boomerang_storefront_sanitize_key',
			'default'           => '',
		)
	);
}

function boomerang_storefront_admin_menu() {
	add_options_page(
		__( 'Boomerang', 'boomerang-storefront' ),
		__( 'Boomerang', 'boomerang-storefront' ),
		'manage_options',
		'boomerang-storefront',
		'boomerang_storefront_settings_page'
	);
}

/**
 * Keeps an absolute http(s) URL without query, fragment or trailing slash.
 *
 * @param mixed $value Submitted value.
 * @return string
 */
function boomerang_storefront_sanitize_url( $value ) {
	$value = is_string( $value ) ? trim( $value ) : '';
	if ( '' === $value ) {
		return '';
	}
	$url   = esc_url_raw( $value, array( 'http', 'https' ) );
	$parts = wp_parse_url( $url );
	if ( '' === $url || ! is_array( $parts ) || empty( $parts['host'] ) || isset( $parts['query'] ) || isset( $parts['fragment'] ) || isset( $parts['user'] ) ) {
		add_settings_error( BOOMERANG_STOREFRONT_OPTION_URL, 'boomerang_url', __( 'The Boomerang URL must be an http(s) address such as https://boomerang.example.', 'boomerang-storefront' ) );
		return (string) get_option( BOOMERANG_STOREFRONT_OPTION_URL, '' );
	}
	return untrailingslashit( $url );
}

/**
 * Keeps a public key of the form pk_… .
 *
 * @param mixed $value Submitted value.
 * @return string
 */
function boomerang_storefront_sanitize_key( $value ) {
	$value = is_string( $value ) ? trim( $value ) : '';
	if ( '' === $value ) {
		return '';
	}
	if ( ! preg_match( '/^pk_[A-Za-z0-9_-]{1,120}$/', $value ) ) {
		add_settings_error( BOOMERANG_STOREFRONT_OPTION_KEY, 'boomerang_key', __( 'The public key starts with pk_ and has only letters, digits, - and _.', 'boomerang-storefront' ) );
		return (string) get_option( BOOMERANG_STOREFRONT_OPTION_KEY, '' );
	}
	return $value;
}

function boomerang_storefront_settings_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		return;
	}
	?>
	<div class="wrap">
		<h1><?php echo esc_html__( 'Boomerang', 'boomerang-storefront' ); ?></h1>
		<p><?php echo esc_html__( 'Both values are on the page Boomerang showed when you connected this store.', 'boomerang-storefront' ); ?></p>
		<form method="post" action="<?php echo esc_url( admin_url( 'options.php' ) ); ?>">
			<?php settings_fields( 'boomerang_storefront' ); ?>
			<table class="form-table" role="presentation">
				<tr>
					<th scope="row"><label for="boomerang_storefront_url"><?php echo esc_html__( 'Boomerang URL', 'boomerang-storefront' ); ?></label></th>
					<td><input type="url" class="regular-text" id="boomerang_storefront_url" name="<?php echo esc_attr( BOOMERANG_STOREFRONT_OPTION_URL ); ?>"
						value="<?php echo esc_attr( (string) get_option( BOOMERANG_STOREFRONT_OPTION_URL, '' ) ); ?>" placeholder="https://boomerang.example"></td>
				</tr>
				<tr>
					<th scope="row"><label for="boomerang_storefront_key"><?php echo esc_html__( 'Public key', 'boomerang-storefront' ); ?></label></th>
					<td><input type="text" class="regular-text code" id="boomerang_storefront_key" name="<?php echo esc_attr( BOOMERANG_STOREFRONT_OPTION_KEY ); ?>"
						value="<?php echo esc_attr( (string) get_option( BOOMERANG_STOREFRONT_OPTION_KEY, '' ) ); ?>" placeholder="pk_…"></td>
				</tr>
			</table>
			<?php submit_button(); ?>
		</form>
	</div>
	<?php
}

/**
 * The Boomerang URL and public key, or null until both are set.
 *
 * @return array{0:string,1:string}|null
 */
function boomerang_storefront_settings() {
	/**
	 * Filters whether Boomerang tracks this request: a consent plugin can
	 * return false until the visitor accepts.
	 *
	 * @param bool $enabled Default true.
	 */
	if ( ! apply_filters( 'boomerang_storefront_enabled', true ) ) {
		return null;
	}
	$url = (string) get_option( BOOMERANG_STOREFRONT_OPTION_URL, '' );
	$key = (string) get_option( BOOMERANG_STOREFRONT_OPTION_KEY, '' );
	if ( '' === $url || '' === $key ) {
		return null;
	}
	return array( $url, $key );
}

/**
 * Whether WooCommerce and its cart are there (not in the admin, cron or REST
 * requests without a session).
 */
function boomerang_storefront_has_cart() {
	return function_exists( 'WC' ) && null !== WC() && isset( WC()->cart ) && WC()->cart instanceof WC_Cart;
}

/*
 * 1. The snippet tag, in the footer of storefront pages.
 */

add_action( 'wp_footer', 'boomerang_storefront_print_snippet' );

function boomerang_storefront_print_snippet() {
	$settings = boomerang_storefront_settings();
	if ( null === $settings || is_admin() ) {
		return;
	}
	list( $url, $key ) = $settings;
	$email             = boomerang_storefront_known_email();
	printf(
		'<script src="%s" data-key="%s"%s async></script>' . "\n",
		esc_url( $url . '/track.js' ),
		esc_attr( $key ),
		'' !== $email ? ' data-email="' . esc_attr( $email ) . '"' : ''
	);
	if ( ! function_exists( 'is_product' ) || ! is_product() ) {
		return;
	}
	$product = wc_get_product( get_the_ID() );
	if ( ! $product instanceof WC_Product ) {
		return;
	}
	$view = array_filter(
		array(
			'id'        => (string) $product->get_id(),
			'title'     => boomerang_storefront_text( $product->get_name() ),
			'url'       => (string) get_permalink( $product->get_id() ),
			'image_url' => (string) wp_get_attachment_url( (int) $product->get_image_id() ),
			'price'     => boomerang_storefront_decimal( $product->get_price() ),
			'currency'  => get_woocommerce_currency(),
		),
		'boomerang_storefront_keep'
	);
	printf(
		'<script>window.boomerang=window.boomerang||[];boomerang.push(%s);</script>' . "\n",
		wp_json_encode( array( 'viewed', $view ), JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT )
	);
}

/*
 * 2. Cart events, sent server-side once per request after the cart changed.
 */

add_action( 'woocommerce_add_to_cart', 'boomerang_storefront_cart_changed' );
add_action( 'woocommerce_cart_item_removed', 'boomerang_storefront_cart_changed' );
add_action( 'woocommerce_after_cart_item_quantity_update', 'boomerang_storefront_cart_changed' );
// Classic checkout: the fields are posted (serialised) while the shopper types.
add_action( 'woocommerce_checkout_update_order_review', 'boomerang_storefront_checkout_fields' );
// Checkout block: the Store API updates the customer.
add_action( 'woocommerce_store_api_cart_update_customer_from_request', 'boomerang_storefront_block_customer', 10, 1 );
add_action( 'shutdown', 'boomerang_storefront_flush', 5 );

/** @var bool Whether this request changed the cart or learnt an email. */
$GLOBALS['boomerang_storefront_dirty'] = false;

function boomerang_storefront_cart_changed() {
	$GLOBALS['boomerang_storefront_dirty'] = true;
}

/**
 * Remembers the billing email typed at the classic checkout.
 *
 * @param mixed $post_data The serialised checkout form.
 */
function boomerang_storefront_checkout_fields( $post_data ) {
	if ( ! is_string( $post_data ) || '' === $post_data ) {
		return;
	}
	$fields = array();
	parse_str( $post_data, $fields );
	if ( isset( $fields['billing_email'] ) && is_string( $fields['billing_email'] ) ) {
		boomerang_storefront_remember_email( $fields['billing_email'] );
	}
}

/**
 * Remembers the billing email the checkout block sent.
 *
 * @param mixed $customer WC_Customer being updated.
 */
function boomerang_storefront_block_customer( $customer ) {
	if ( $customer instanceof WC_Customer ) {
		boomerang_storefront_remember_email( (string) $customer->get_billing_email() );
	}
}

/**
 * Keeps a newly typed email in the session and marks the cart to be sent.
 *
 * @param string $email Typed address.
 */
function boomerang_storefront_remember_email( $email ) {
	$email = sanitize_email( $email );
	if ( '' === $email || ! is_email( $email ) || ! function_exists( 'WC' ) || null === WC() || ! isset( WC()->session ) ) {
		return;
	}
	if ( WC()->session->get( BOOMERANG_STOREFRONT_SESSION_EMAIL ) !== $email ) {
		WC()->session->set( BOOMERANG_STOREFRONT_SESSION_EMAIL, $email );
		$GLOBALS['boomerang_storefront_dirty'] = true;
	}
}

/**
 * The shopper's email when known: the logged-in customer's, else the one
 * typed at checkout. Empty for anonymous shoppers.
 */
function boomerang_storefront_known_email() {
	if ( is_user_logged_in() ) {
		$user = wp_get_current_user();
		if ( $user instanceof WP_User && is_email( $user->user_email ) ) {
			return (string) $user->user_email;
		}
	}
	if ( function_exists( 'WC' ) && null !== WC() && isset( WC()->session ) ) {
		$email = WC()->session->get( BOOMERANG_STOREFRONT_SESSION_EMAIL );
		if ( is_string( $email ) && is_email( $email ) ) {
			return $email;
		}
		if ( isset( WC()->customer ) && WC()->customer instanceof WC_Customer ) {
			$billing = (string) WC()->customer->get_billing_email();
			if ( is_email( $billing ) ) {
				return $billing;
			}
		}
	}
	return '';
}

/**
 * Sends the cart when this request changed it and the shopper is known.
 */
function boomerang_storefront_flush() {
	if ( empty( $GLOBALS['boomerang_storefront_dirty'] ) ) {
		return;
	}
	$GLOBALS['boomerang_storefront_dirty'] = false;
	$settings                              = boomerang_storefront_settings();
	$email                                 = boomerang_storefront_known_email();
	if ( null === $settings || '' === $email || ! boomerang_storefront_has_cart() || ! isset( WC()->session ) ) {
		return;
	}
	list( $url, $key ) = $settings;
	$token             = method_exists( WC()->session, 'get_customer_id' ) ? boomerang_storefront_id( (string) WC()->session->get_customer_id() ) : '';
	if ( '' === $token ) {
		return;
	}
	$cart = WC()->cart;
	$cart->calculate_totals();
	$decimals = wc_get_price_decimals();
	$lines    = array();
	$restore  = array();
	foreach ( $cart->get_cart() as $item_key => $item ) {
		if ( count( $lines ) >= BOOMERANG_STOREFRONT_MAX_LINES || ! is_array( $item ) || ! isset( $item['data'] ) || ! $item['data'] instanceof WC_Product ) {
			continue;
		}
		$product    = $item['data'];
		$product_id = isset( $item['product_id'] ) ? (int) $item['product_id'] : 0;
		$variant_id = isset( $item['variation_id'] ) ? (int) $item['variation_id'] : 0;
		$quantity   = isset( $item['quantity'] ) ? max( 1, min( 100000, (int) $item['quantity'] ) ) : 1;
		$line       = array(
			'id'         => (string) $item_key,
			'product_id' => (string) $product_id,
			'sku'        => boomerang_storefront_text( (string) $product->get_sku() ),
			'title'      => boomerang_storefront_text( $product->get_name() ),
			'quantity'   => $quantity,
			'price'      => boomerang_storefront_decimal( wc_get_price_to_display( $product ), $decimals ),
			'url'        => (string) get_permalink( $product_id ),
			'image_url'  => (string) wp_get_attachment_url( (int) $product->get_image_id() ),
		);
		if ( $variant_id > 0 ) {
			$line['variant_id'] = (string) $variant_id;
		}
		$lines[]   = array_filter( $line, 'boomerang_storefront_keep' );
		$restore[] = $product_id . '.' . $variant_id . '.' . $quantity;
	}
	$event = array(
		'key'         => $key,
		'type'        => 'cart.updated',
		'visitor'     => 'wc-' . $token,
		'email'       => $email,
		'occurred_at' => gmdate( 'Y-m-d\\TH:i:s\\Z' ),
		'cart'        => array_filter(
			array(
				'token'        => 'wc-' . $token,
				'line_items'   => $lines,
				'currency'     => get_woocommerce_currency(),
				'total'        => boomerang_storefront_decimal( $cart->get_total( 'edit' ), $decimals ),
				'recovery_url' => boomerang_storefront_recovery_url( $restore ),
			),
			'boomerang_storefront_keep'
		),
	);
	wp_remote_post(
		$url . '/track',
		array(
			'blocking'    => false,
			'timeout'     => 1,
			'headers'     => array( 'Content-Type' => 'application/json' ),
			'body'        => wp_json_encode( $event ),
			'data_format' => 'body',
		)
	);
}

/*
 * 3. Recovery links: {cart URL}?boomerang_restore=pid.vid.qty~…&boomerang_sig=… adds the
 * items a cart held (those not in the cart already) and shows the cart. The signature
 * (HMAC with this site's auth salt) keeps others from forging links.
 */

add_action( 'wp_loaded', 'boomerang_storefront_restore' );

/**
 * @param string[] $restore "product.variation.quantity" per line.
 */
function boomerang_storefront_recovery_url( array $restore ) {
	if ( empty( $restore ) || ! function_exists( 'wc_get_cart_url' ) ) {
		return '';
	}
	$payload = implode( '~', $restore );
	return add_query_arg(
		array(
			BOOMERANG_STOREFRONT_RESTORE_ARG => $payload,
			BOOMERANG_STOREFRONT_SIG_ARG     => boomerang_storefront_sign( $payload ),
		),
		wc_get_cart_url()
	);
}

function boomerang_storefront_sign( $payload ) {
	return substr( hash_hmac( 'sha256', 'boomerang-restore|' . $payload, wp_salt( 'auth' ) ), 0, 32 );
}

function boomerang_storefront_restore() {
	// phpcs:disable WordPress.Security.NonceVerification.Recommended -- a signed link from an email, not a form.
	if ( ! isset( $_GET[ BOOMERANG_STOREFRONT_RESTORE_ARG ], $_GET[ BOOMERANG_STOREFRONT_SIG_ARG ] ) || is_admin() || ! boomerang_storefront_has_cart() ) {
		return;
	}
	$payload = $_GET[ BOOMERANG_STOREFRONT_RESTORE_ARG ]; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- checked against a strict pattern below.
	$sig     = $_GET[ BOOMERANG_STOREFRONT_SIG_ARG ]; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- compared with hash_equals below.
	if ( ! is_string( $payload ) || ! is_string( $sig ) ) {
		return;
	}
	$payload = sanitize_text_field( wp_unslash( $payload ) );
	$sig     = sanitize_text_field( wp_unslash( $sig ) );
	// phpcs:enable
	if ( ! preg_match( '/^\d{1,20}\.\d{1,20}\.\d{1,6}(~\d{1,20}\.\d{1,20}\.\d{1,6}){0,99}$/', $payload ) || ! hash_equals( boomerang_storefront_sign( $payload ), $sig ) ) {
		return;
	}
	$in_cart = array();
	foreach ( WC()->cart->get_cart() as $item ) {
		if ( is_array( $item ) && isset( $item['product_id'], $item['variation_id'] ) ) {
			$in_cart[ (int) $item['product_id'] . '.' . (int) $item['variation_id'] ] = true;
		}
	}
	foreach ( explode( '~', $payload ) as $line ) {
		list( $product_id, $variant_id, $quantity ) = array_map( 'intval', explode( '.', $line ) );
		if ( $product_id > 0 && $quantity > 0 && empty( $in_cart[ $product_id . '.' . $variant_id ] ) ) {
			WC()->cart->add_to_cart( $product_id, $quantity, $variant_id );
		}
	}
	wp_safe_redirect( wc_get_cart_url() );
	exit;
}

/*
 * Helpers that shape values as POST /track accepts them.
 */

/** A decimal string such as "19.99", or "" when there is no number. */
function boomerang_storefront_decimal( $value, $decimals = null ) {
	if ( ! is_numeric( $value ) ) {
		return '';
	}
	$decimals = null === $decimals ? wc_get_price_decimals() : (int) $decimals;
	$out      = number_format( (float) $value, max( 0, min( 6, $decimals ) ), '.', '' );
	return preg_match( '/^-?\d{1,15}(\.\d{1,6})?$/', $out ) ? $out : '';
}

/** Plain one-line text of at most 500 characters. */
function boomerang_storefront_text( $value ) {
	$text = wp_strip_all_tags( (string) $value );
	$text = (string) preg_replace( '/[\x00-\x1F\x7F]+/u', ' ', $text );
	return function_exists( 'mb_substr' ) ? mb_substr( trim( $text ), 0, 500 ) : substr( trim( $text ), 0, 500 );
}

/** An id of [A-Za-z0-9_-], at most 60 characters. */
function boomerang_storefront_id( $value ) {
	return substr( (string) preg_replace( '/[^A-Za-z0-9_-]/', '', (string) $value ), 0, 60 );
}

/** array_filter callback: drops empty strings, keeps everything else. */
function boomerang_storefront_keep( $value ) {
	return '' !== $value;
}
