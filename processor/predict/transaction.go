package predict

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// ErrBadTransactions is returned, wrapped, for malformed transaction input.
var ErrBadTransactions = errors.New("bad transactions")

// Transaction is one order: a customer, the day it was placed and its amount.
type Transaction struct {
	CustomerID string
	// Date is the order's day, midnight UTC.
	Date   time.Time
	Amount float64
}

// transactionsHeader is the CSV header ReadTransactions expects.
var transactionsHeader = []string{"customer_id", "date", "amount"}

// ReadTransactions reads CSV with the header customer_id,date,amount; date is
// YYYY-MM-DD or YYYYMMDD.
func ReadTransactions(r io.Reader) ([]Transaction, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(transactionsHeader)
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: reading header: %w", ErrBadTransactions, err)
	}
	for i, h := range transactionsHeader {
		if strings.TrimSpace(strings.TrimPrefix(head[i], "\ufeff")) != h {
			return nil, fmt.Errorf("%w: header must be %s", ErrBadTransactions, strings.Join(transactionsHeader, ","))
		}
	}
	var txs []Transaction
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return txs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadTransactions, err)
		}
		line, _ := cr.FieldPos(0)
		id := strings.TrimSpace(rec[0])
		if id == "" {
			return nil, fmt.Errorf("%w: line %d: empty customer_id", ErrBadTransactions, line)
		}
		d, err := ParseDate(rec[1])
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrBadTransactions, line, err)
		}
		amt, err := strconv.ParseFloat(strings.TrimSpace(rec[2]), 64)
		if err != nil || amt < 0 || isBad(amt) {
			return nil, fmt.Errorf("%w: line %d: amount %q", ErrBadTransactions, line, rec[2])
		}
		txs = append(txs, Transaction{CustomerID: id, Date: d, Amount: amt})
	}
}

// ParseDate parses a day written YYYY-MM-DD or YYYYMMDD, as midnight UTC.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	layout := "2006-01-02"
	if len(s) == len("20060102") {
		layout = "20060102"
	}
	d, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q: want YYYY-MM-DD or YYYYMMDD: %w", s, err)
	}
	return d, nil
}
